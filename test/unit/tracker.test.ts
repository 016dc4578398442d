import type { Box, Face, FrameFaces } from '../../plugin/core/types';
import { Tracker } from '../../plugin/track/tracker';
import { iou } from '../../plugin/detect/nms';

const OPTIONS = { maxLostS: 1, minHits: 3, bestFrames: 3 };

function unit(seed: number, dims = 8): Float32Array {
  const v = new Float32Array(dims);
  v[seed % dims] = 1;
  return v;
}

function face(box: Box, template?: Float32Array, qualityScore = 0.5): Face {
  const p = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  return {
    box,
    landmarks: [p, p, p, p, p],
    score: 0.9,
    template,
    attributes: { age: 30, pMale: 0.9 },
    quality: {
      size: box.height, sharpness: 100, yaw: 0, partial: false, identityOk: !!template, demographicsOk: true,
      score: qualityScore, issues: [],
    },
  };
}

function frame(ts: number, faces: Face[]): FrameFaces {
  return { cameraId: 'cam', ts, seq: Math.round(ts * 5), width: 640, height: 360, greyscale: false, faces, timings: {} };
}

describe('Tracker', () => {
  test('iou of identical and disjoint boxes', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x: 20, y: 0, width: 10, height: 10 })).toBe(0);
  });

  test('follows one moving face and reports it once it is gone', () => {
    const tracker = new Tracker('cam', OPTIONS);
    for (let i = 0; i < 10; i++) {
      expect(tracker.update(frame(i * 0.2, [face({ x: 100 + i * 8, y: 100, width: 60, height: 70 }, unit(1))]))).toEqual([]);
    }
    expect(tracker.present(1.8)).toBe(1);
    const finished = tracker.update(frame(5, []));
    expect(finished).toHaveLength(1);
    expect(finished[0].hits).toBe(10);
    expect(finished[0].firstTs).toBe(0);
    expect(finished[0].lastTs).toBeCloseTo(1.8);
    expect(finished[0].templates).toHaveLength(3);
    expect(finished[0].attributes).toHaveLength(3);
  });

  test('counts a second person who walks in right behind the first', () => {
    const tracker = new Tracker('cam', OPTIONS);
    for (let i = 0; i < 8; i++) {
      const faces = [face({ x: 100 + i * 10, y: 100, width: 60, height: 70 }, unit(1))];
      if (i >= 2) faces.push(face({ x: 30 + i * 10, y: 105, width: 60, height: 70 }, unit(2)));
      tracker.update(frame(i * 0.2, faces));
    }
    const finished = tracker.flush();
    expect(finished).toHaveLength(2);
    expect(finished.map((t) => t.hits).sort()).toEqual([6, 8]);
  });

  test('keeps two crossing people apart by their templates', () => {
    const tracker = new Tracker('cam', OPTIONS);
    for (let i = 0; i < 10; i++) {
      tracker.update(frame(i * 0.2, [
        face({ x: 100 + i * 20, y: 100, width: 60, height: 70 }, unit(1)),
        face({ x: 280 - i * 20, y: 100, width: 60, height: 70 }, unit(2)),
      ]));
    }
    const finished = tracker.flush();
    expect(finished).toHaveLength(2);
    for (const track of finished) {
      const first = track.templates[0];
      expect(track.templates.every((t) => t[1] === first[1] && t[2] === first[2])).toBe(true);
    }
  });

  test('drops a detection that never reaches minHits', () => {
    const tracker = new Tracker('cam', OPTIONS);
    tracker.update(frame(0, [face({ x: 10, y: 10, width: 30, height: 30 })]));
    tracker.update(frame(0.2, [face({ x: 10, y: 10, width: 30, height: 30 })]));
    expect(tracker.update(frame(3, []))).toEqual([]);
    expect(tracker.flush()).toEqual([]);
  });

  test('keeps the best frames by quality', () => {
    const tracker = new Tracker('cam', { ...OPTIONS, bestFrames: 2 });
    const scores = [0.1, 0.9, 0.3, 0.8, 0.2];
    scores.forEach((q, i) => tracker.update(frame(i * 0.2, [face({ x: 100, y: 100, width: 60, height: 70 }, unit(1), q)])));
    const [track] = tracker.flush();
    expect(track.attributes.map((a) => a.weight)).toEqual([0.9, 0.8]);
  });
});

describe('Tracker face links', () => {
  test('marks each face with its track id', () => {
    const tracker = new Tracker('cam', OPTIONS);
    const first = frame(0, [face({ x: 100, y: 100, width: 60, height: 70 }, unit(1)), face({ x: 400, y: 100, width: 60, height: 70 }, unit(2))]);
    tracker.update(first);
    const second = frame(0.2, [face({ x: 404, y: 100, width: 60, height: 70 }, unit(2)), face({ x: 104, y: 100, width: 60, height: 70 }, unit(1))]);
    tracker.update(second);
    expect(first.faces[0].trackId).toBeDefined();
    expect(first.faces[1].trackId).not.toBe(first.faces[0].trackId);
    expect(second.faces[1].trackId).toBe(first.faces[0].trackId);
    expect(second.faces[0].trackId).toBe(first.faces[1].trackId);
  });
});

describe('Tracker skip hints', () => {
  test('a track with its best frames full yields a hint with floors', () => {
    const tracker = new Tracker('cam', { ...OPTIONS, bestFrames: 2 });
    expect(tracker.skipHints(0)).toEqual([]);
    const scores = [0.4, 0.7, 0.5];
    scores.forEach((q, i) => tracker.update(frame(i * 0.2, [face({ x: 100 + i * 5, y: 100, width: 60, height: 70 }, unit(1), q)])));
    const [hint] = tracker.skipHints(0.6);
    expect(hint.templateFloor).toBe(0.5);
    expect(hint.attributeFloor).toBe(0.5);
    expect(hint.box.x).toBeGreaterThan(110);
  });

  test('a track without templates gets no template floor', () => {
    const tracker = new Tracker('cam', { ...OPTIONS, bestFrames: 2 });
    [0.4, 0.7].forEach((q, i) => tracker.update(frame(i * 0.2, [face({ x: 100, y: 100, width: 60, height: 70 }, undefined, q)])));
    const [hint] = tracker.skipHints(0.4);
    expect(hint.templateFloor).toBeNull();
    expect(hint.attributeFloor).toBe(0.4);
  });
});
