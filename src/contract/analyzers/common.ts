/** Small shapes several analyzers share. */

/** One stop of a heatmap legend: a value and the colour the map draws it in (#rrggbb). */
export type LegendStop = { value: number; color: string };

export type Box = { x: number; y: number; width: number; height: number };

/** [x, y] in display pixels. */
export type Point = [number, number];
