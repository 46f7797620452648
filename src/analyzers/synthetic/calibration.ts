import type { ScoreInfo } from '../../contract/results.js';

/**
 * Thresholds and measured performance of each signal. Thresholds were chosen on the calibration
 * half of the evaluation corpus (even-numbered people of the London set, even-indexed fakes);
 * figures are on the held-out half unless said otherwise. Reproduce with `npm run eval:synthetic`.
 * The evaluation images are never shipped or committed.
 */

/**
 * Face geometry: deviation from the FFHQ framing at or below which a face counts as FFHQ-aligned.
 * Calibration half: StyleGAN3 at most 0.064, London portraits at least 0.162; 0.08 sits near the GAN side.
 */
export const GEOMETRY_TOLERANCE = 0.08;
/** Spectral fall-off: 95th percentile of highBandResidual on real London portraits (calibration half). */
export const HIGH_BAND_THRESHOLD = -0.07;
/** Logistic width for the fall-off score (decades of power). */
export const HIGH_BAND_SCALE = 0.1;
/** Up-sampling peaks: 95th percentile of upsamplingPeakZ on real London portraits (calibration half). */
export const PEAK_THRESHOLD = 2.32;
export const PEAK_SCALE = 0.3;
/** Every signal score is 0.5 exactly at its threshold. */
export const SIGNAL_THRESHOLD = 0.5;

const EVAL =
  'evaluation corpus: 54 real studio portraits (Face Research Lab London), 100 StyleGAN3 faces (256 px PNG), 101 text-to-image faces from SFHQ-T2I (58 SDXL, 41 FLUX.1, 2 DALL-E 3; tiles cut from downscaled JPEG sample grids), 21 camera JPEGs and 21 other real face photos; each also re-encoded as JPEG q85, resized to 0.75x, and both';

export const GEOMETRY_INFO: ScoreInfo = {
  method:
    'Runs the FFHQ alignment rule (Karras et al. 2019, NVlabs/ffhq-dataset recreate_aligned_images) on the five face landmarks and measures how far the crop it would take is from the whole image; StyleGAN-family generators trained on FFHQ reproduce that framing exactly.',
  measuredOn: `${EVAL}. Held-out AUC: StyleGAN3 1.00, SDXL 0.75, FLUX.1 0.78 (DALL-E 3: 2 images, not meaningful), unchanged (within 0.04) on every re-encoded and resized copy. At the threshold: 100 of 100 StyleGAN3 flagged (all copies), SDXL 6 of 58, FLUX.1 4 of 41; false positives 0 of 54 London portraits, 0 of 21 camera JPEGs, 0 of 21 other real face photos.`,
  limits:
    'Shows FFHQ-style framing, not synthesis: a real photo aligned with the FFHQ script (FFHQ itself is real Flickr photos) matches too, and any crop, padding or re-framing of a GAN face defeats it. Diffusion models (SDXL, FLUX, DALL-E) do not follow FFHQ framing; the few that match in the evaluation set are probably aligned by the dataset curators. Needs the faces analyzer and a detected face.',
  strength: 'moderate',
  threshold: SIGNAL_THRESHOLD,
};

export const FALLOFF_INFO: ScoreInfo = {
  method:
    'Azimuthally averaged power spectrum of a native-resolution centre crop (Durall et al. 2020, "Watch your Up-Convolution"): how far the top frequency band (0.75 to 1 of Nyquist) sits above the power law fitted on the mid band.',
  measuredOn: `${EVAL}. Held-out AUC on originals: StyleGAN3 0.74, SDXL 0.58, FLUX.1 0.74; on JPEG q85 copies 0.51, 0.42, 0.61 and on 0.75x copies 0.55, 0.29, 0.55 (chance or reversed). At the threshold: 17 of 100 StyleGAN3 flagged; false positives 2 of 26 held-out London portraits (12 of 26 after JPEG q85), 7 of 21 camera JPEGs.`,
  limits:
    'Weak: near chance once the image is re-encoded or resized, and it moves with JPEG quality, sharpening, noise and resampling more than with the generator. Durall et al. trained a classifier on the spectrum; this single-feature version is not trained. Never decisive on its own.',
  strength: 'weak',
  threshold: SIGNAL_THRESHOLD,
};

export const PEAKS_INFO: ScoreInfo = {
  method:
    'Periodic peaks in the 2D log spectrum at the frequencies where 2x and 4x up-sampling repeats (multiples of 1/4 and 1/2 cycle per pixel), in standard deviations above the ring of the same radius (Frank et al. 2020, "Leveraging Frequency Analysis for Deep Fake Image Recognition").',
  measuredOn: `${EVAL}. Held-out AUC on originals: StyleGAN3 0.45, SDXL 0.65, FLUX.1 0.57; after JPEG q85 or 0.75x resize 0.44 to 0.64 (chance). At the threshold: 15 of 100 StyleGAN3 flagged; false positives 3 of 26 held-out London portraits, 8 of 21 camera JPEGs. It does find real 2x up-sampling (tested on up-scaled copies of real photos).`,
  limits:
    'Weak: the evaluation fakes were resized before we got them, which erases up-sampling peaks; JPEG block grids, demosaicing, screen moire and fabric patterns also make grid-aligned peaks. StyleGAN3 is designed to be alias-free. Never decisive on its own.',
  strength: 'weak',
  threshold: SIGNAL_THRESHOLD,
};

/** The combination rule, in one sentence, as shown to analysts. */
export const COMBINATION_RULE =
  'The file score is the highest score among the signals measured as moderate or strong (today only face geometry); weak signals are shown with their own scores but never raise the verdict.';
