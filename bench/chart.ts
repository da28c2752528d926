/**
 * The bench chart: for each scenario a panel, in it one lane per implementation; along the lane
 * every client request as a thin bar at its send time (relative to the fault), coloured by the
 * node that answered it: that is how the VIP moved as the client saw it.
 */
import { Canvas, GLYPH_HEIGHT, type Rgb } from './canvas.js';
import type { Probe } from './outage.js';
import { encodePng } from './png.js';

export interface ChartLane {
  readonly label: string;
  readonly probes: readonly Probe[];
  readonly faultAt: number;
  /** Marked with a tick on the lane. */
  readonly takeoverMs?: number | undefined;
  /** Shown right of the lane, e.g. "takeover 3210 ms". */
  readonly note?: string;
}

export interface ChartPanel {
  readonly title: string;
  /** Time range relative to the fault (ms). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly lanes: readonly ChartLane[];
}

export interface ChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  /** Node name → colour; other nodes are drawn in OTHER. */
  readonly nodes: ReadonlyArray<{ readonly node: string; readonly label: string; readonly color: Rgb }>;
}

const WIDTH = 1400;
const LABEL_W = 170;
const NOTE_W = 190;
const PLOT_X = LABEL_W;
const PLOT_W = WIDTH - LABEL_W - NOTE_W - 10;
const LANE_H = 22;
const LANE_GAP = 6;
const BLACK: Rgb = [30, 30, 30];
const GREY: Rgb = [120, 120, 120];
const LIGHT: Rgb = [215, 215, 215];
const FAULT: Rgb = [200, 0, 160];
const BOTH: Rgb = [214, 39, 40];
const OTHER: Rgb = [148, 103, 189];
const LOST: Rgb = [190, 190, 190];

const NICE_STEPS = [5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000];

function panelHeight(p: ChartPanel): number {
  return 2 * GLYPH_HEIGHT + 8 + p.lanes.length * (LANE_H + LANE_GAP) + GLYPH_HEIGHT + 18;
}

/** Draws the panels and returns the PNG file. */
export function drawChart(panels: readonly ChartPanel[], opts: ChartOptions): Buffer {
  const header = 2 * GLYPH_HEIGHT + 6 + (opts.subtitle ? GLYPH_HEIGHT + 6 : 0) + GLYPH_HEIGHT + 14;
  const height = header + panels.reduce((sum, p) => sum + panelHeight(p), 0) + 10;
  const c = new Canvas(WIDTH, height);
  let y = 8;
  c.text(10, y, opts.title, BLACK, 2);
  y += 2 * GLYPH_HEIGHT + 6;
  if (opts.subtitle) {
    c.text(10, y, opts.subtitle, GREY);
    y += GLYPH_HEIGHT + 6;
  }
  // Legend.
  let x = 10;
  const legend: Array<[Rgb, string]> = [...opts.nodes.map((n): [Rgb, string] => [n.color, n.label]), [BOTH, 'answered by two nodes'], [LOST, 'no answer'], [FAULT, 'fault (dashed)'], [BLACK, 'takeover']];
  for (const [color, label] of legend) {
    c.rect(x, y, 10, GLYPH_HEIGHT, color);
    x += 14 + c.text(x + 14, y, label, BLACK) + 12;
  }
  y += GLYPH_HEIGHT + 14;
  for (const p of panels) {
    drawPanel(c, p, y, opts);
    y += panelHeight(p);
  }
  return encodePng(c.width, c.height, c.data);
}

function drawPanel(c: Canvas, p: ChartPanel, top: number, opts: ChartOptions): void {
  const span = Math.max(1, p.toMs - p.fromMs);
  const xOf = (ms: number) => PLOT_X + ((ms - p.fromMs) / span) * PLOT_W;
  c.text(10, top, p.title, BLACK, 2);
  let y = top + 2 * GLYPH_HEIGHT + 8;
  const lanesTop = y;
  const colorOf = new Map(opts.nodes.map((n) => [n.node, n.color]));
  for (const lane of p.lanes) {
    c.text(10, y + (LANE_H - GLYPH_HEIGHT) / 2, lane.label, BLACK);
    c.rect(PLOT_X, y, PLOT_W, LANE_H, [246, 246, 246]);
    const probes = [...lane.probes].sort((a, b) => a.sentAt - b.sentAt);
    probes.forEach((probe, i) => {
      const t = probe.sentAt - lane.faultAt;
      const next = probes[i + 1];
      const until = next ? next.sentAt - lane.faultAt : t + 10;
      if (until <= p.fromMs || t > p.toMs) return;
      // Each request's bar lasts until the next request: clipped to the panel.
      const x0 = xOf(Math.max(t, p.fromMs));
      const x1 = xOf(Math.min(p.toMs, until));
      const w = Math.max(1, x1 - x0);
      const nodes = new Set(probe.answers.map((a) => a.node));
      if (nodes.size === 0) {
        c.rect(x0, y + LANE_H - 6, w, 6, LOST);
        return;
      }
      const color = nodes.size > 1 ? BOTH : (colorOf.get([...nodes][0] as string) ?? OTHER);
      c.rect(x0, y + 2, w, LANE_H - 4, color);
    });
    if (lane.takeoverMs !== undefined && lane.takeoverMs <= p.toMs) {
      const tx = xOf(lane.takeoverMs);
      c.rect(tx - 1, y - 3, 3, 5, BLACK);
      c.rect(tx - 1, y + LANE_H - 2, 3, 5, BLACK);
    }
    if (lane.note) c.text(PLOT_X + PLOT_W + 10, y + (LANE_H - GLYPH_HEIGHT) / 2, lane.note, GREY);
    y += LANE_H + LANE_GAP;
  }
  // Axis: ticks every "nice" step, labelled in ms.
  const step = NICE_STEPS.find((s) => span / s <= 12) ?? 10_000;
  c.hline(PLOT_X, PLOT_X + PLOT_W, y - 2, GREY);
  for (let t = Math.ceil(p.fromMs / step) * step; t <= p.toMs; t += step) {
    const tx = xOf(t);
    c.vline(tx, lanesTop, y - 2, LIGHT, 2);
    const label = t === 0 ? '0' : `${t > 0 ? '+' : ''}${t}`;
    const lx = tx - Canvas.textWidth(label) / 2;
    if (lx + Canvas.textWidth(label) <= PLOT_X + PLOT_W + 4) c.text(lx, y + 2, label, GREY);
  }
  c.text(PLOT_X + PLOT_W + 10, y + 2, 'ms from fault', GREY);
  c.vline(xOf(0), lanesTop - 4, y - 2, FAULT, 3);
}
