/** A one-line progress bar on stderr (only when stderr is a terminal). */
export class ProgressBar {
  private last = 0;
  constructor(
    private readonly write: (s: string) => void,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  update(done: number, label: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 80 && done < this.total) return;
    this.last = now;
    const width = 24;
    const frac = this.total ? done / this.total : 1;
    const filled = Math.round(frac * width);
    const name = label.length > 40 ? `…${label.slice(-39)}` : label;
    this.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${name}`);
  }

  done(): void {
    if (this.enabled) this.write('\r\x1b[K');
  }
}
