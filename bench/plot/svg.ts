/**
 * Minimal SVG charts for the evaluation reports: a line chart (optionally
 * with a log10 x axis), a heat map and a grouped bar chart. Output is a
 * standalone SVG document as a string.
 */

const WIDTH = 560;
const HEIGHT = 360;
const MARGIN = { left: 64, right: 16, top: 50, bottom: 52 };
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
}

function documentOf(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    text(WIDTH / 2, 20, title, 'text-anchor="middle" font-size="14" font-weight="bold"'),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

const plotLeft = MARGIN.left;
const plotRight = WIDTH - MARGIN.right;
const plotTop = MARGIN.top;
const plotBottom = HEIGHT - MARGIN.bottom;

function axisLabels(xLabel: string, yLabel: string): string[] {
  return [
    text((plotLeft + plotRight) / 2, HEIGHT - 12, xLabel, 'text-anchor="middle"'),
    text(16, (plotTop + plotBottom) / 2, yLabel, `text-anchor="middle" transform="rotate(-90 16 ${(plotTop + plotBottom) / 2})"`),
  ];
}

export interface LineSeries {
  name: string;
  points: readonly [number, number][];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** x range; with xLog the values are powers of ten, e.g. [1e-4, 1]. */
  xRange: [number, number];
  yRange: [number, number];
  xLog?: boolean;
  xTicks: readonly number[];
  yTicks: readonly number[];
}

/** Draws a line chart with a legend. Points outside the ranges are clamped to the frame. */
export function lineChart(options: LineChartOptions): string {
  const fx = (x: number) => (options.xLog ? Math.log10(Math.max(x, options.xRange[0])) : x);
  const [x0, x1] = options.xRange.map(fx);
  const [y0, y1] = options.yRange;
  const px = (x: number) => plotLeft + ((Math.min(Math.max(fx(x), x0), x1) - x0) / (x1 - x0)) * (plotRight - plotLeft);
  const py = (y: number) => plotBottom - ((Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)) * (plotBottom - plotTop);
  const body: string[] = [`<rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}" fill="none" stroke="#888"/>`];
  for (const t of options.xTicks) {
    body.push(`<line x1="${px(t)}" y1="${plotTop}" x2="${px(t)}" y2="${plotBottom}" stroke="#eee"/>`);
    body.push(text(px(t), plotBottom + 14, options.xLog ? t.toExponential(0) : String(t), 'text-anchor="middle"'));
  }
  for (const t of options.yTicks) {
    body.push(`<line x1="${plotLeft}" y1="${py(t)}" x2="${plotRight}" y2="${py(t)}" stroke="#eee"/>`);
    body.push(text(plotLeft - 6, py(t) + 4, String(t), 'text-anchor="end"'));
  }
  options.series.forEach((series, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const path = series.points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    body.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    body.push(`<rect x="${plotRight - 170}" y="${plotBottom - 20 - 16 * i}" width="10" height="10" fill="${colour}"/>`);
    body.push(text(plotRight - 155, plotBottom - 11 - 16 * i, series.name));
  });
  return documentOf(options.title, [...body, ...axisLabels(options.xLabel, options.yLabel)]);
}

export interface HeatMapOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  rowLabels: readonly string[];
  columnLabels: readonly string[];
  /** counts[row][column]; each row is shaded relative to its own total. */
  counts: readonly (readonly number[])[];
}

/** Draws a heat map of counts with each cell's count printed. A cell's shade is its share of the row. */
export function heatMap(options: HeatMapOptions): string {
  const rows = options.rowLabels.length;
  const columns = options.columnLabels.length;
  const cellWidth = (plotRight - plotLeft) / columns;
  const cellHeight = (plotBottom - plotTop) / rows;
  const body: string[] = [];
  options.counts.forEach((row, r) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, c) => {
      const shade = total > 0 ? count / total : 0;
      const x = plotLeft + c * cellWidth;
      const y = plotTop + r * cellHeight;
      const fill = `rgb(${Math.round(255 - 224 * shade)},${Math.round(255 - 136 * shade)},${Math.round(255 - 75 * shade)})`;
      body.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${cellWidth.toFixed(1)}" height="${cellHeight.toFixed(1)}" fill="${fill}" stroke="white"/>`);
      body.push(text(x + cellWidth / 2, y + cellHeight / 2 + 4, String(count), `text-anchor="middle" fill="${shade > 0.5 ? 'white' : 'black'}"`));
    });
  });
  options.columnLabels.forEach((label, c) => body.push(text(plotLeft + (c + 0.5) * cellWidth, plotBottom + 14, label, 'text-anchor="middle"')));
  options.rowLabels.forEach((label, r) => body.push(text(plotLeft - 6, plotTop + (r + 0.5) * cellHeight + 4, label, 'text-anchor="end"')));
  return documentOf(options.title, [...body, ...axisLabels(options.xLabel, options.yLabel)]);
}

export interface BarChartOptions {
  title: string;
  yLabel: string;
  categories: readonly string[];
  series: readonly { name: string; values: readonly number[] }[];
  yRange: [number, number];
  yTicks: readonly number[];
  /** Decimals of the value printed above each bar. */
  decimals: number;
}

/** Draws grouped vertical bars, one group per category, with the value printed on each bar. */
export function barChart(options: BarChartOptions): string {
  const [y0, y1] = options.yRange;
  const py = (y: number) => plotBottom - ((Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)) * (plotBottom - plotTop);
  const groupWidth = (plotRight - plotLeft) / options.categories.length;
  const barWidth = (groupWidth * 0.8) / options.series.length;
  const body: string[] = [];
  for (const t of options.yTicks) {
    body.push(`<line x1="${plotLeft}" y1="${py(t)}" x2="${plotRight}" y2="${py(t)}" stroke="#eee"/>`);
    body.push(text(plotLeft - 6, py(t) + 4, String(t), 'text-anchor="end"'));
  }
  options.categories.forEach((category, c) => {
    options.series.forEach((series, s) => {
      const value = series.values[c];
      const x = plotLeft + c * groupWidth + groupWidth * 0.1 + s * barWidth;
      if (Number.isFinite(value)) {
        body.push(`<rect x="${x.toFixed(1)}" y="${py(value).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(plotBottom - py(value)).toFixed(1)}" fill="${PALETTE[s % PALETTE.length]}"/>`);
        body.push(text(x + barWidth / 2, py(value) - 3, value.toFixed(options.decimals), 'text-anchor="middle" font-size="9"'));
      }
    });
    body.push(text(plotLeft + (c + 0.5) * groupWidth, plotBottom + 14, category, 'text-anchor="middle"'));
  });
  options.series.forEach((series, s) => {
    // The legend sits between the title and the plot, so it never covers a bar.
    body.push(`<rect x="${plotLeft + 8 + 150 * s}" y="${plotTop - 20}" width="10" height="10" fill="${PALETTE[s % PALETTE.length]}"/>`);
    body.push(text(plotLeft + 22 + 150 * s, plotTop - 11, series.name));
  });
  body.push(`<line x1="${plotLeft}" y1="${plotBottom}" x2="${plotRight}" y2="${plotBottom}" stroke="#888"/>`);
  return documentOf(options.title, [...body, ...axisLabels('', options.yLabel)]);
}
