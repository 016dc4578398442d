#!/usr/bin/python3
"""The classic CPU path for `npm run bench`: OpenCV's DNN module (Debian
python3-opencv 4.6) runs the same YuNet detector and fr_feature embedder as
the product on the same clip, sampled to the same frame rate.

OpenCV 4.6 cannot load the dynamic-shape YuNet export, so this uses the
fixed 320x320 export: each frame is scaled to 320 pixels wide and padded
with black at the bottom, like the product's letterbox at input width 320.
Every face at least MIN_FACE_PX tall is aligned to the 112x112 ArcFace
template with a 5-point similarity transform and embedded.

Usage: opencv_baseline.py CLIP --detector YUNET_320.onnx --embedder FR_FEATURE.onnx [--fps 5] [--max-frames N]
Prints one JSON object with per-stage milliseconds on stdout.
"""
import argparse
import json
import sys
import time

import cv2
import numpy as np

INPUT_SIZE = 320
STRIDES = (8, 16, 32)
SCORE_THRESHOLD = 0.6
NMS_THRESHOLD = 0.3
MIN_FACE_PX = 40
ARCFACE_112 = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float32,
)


def letterbox(frame):
    """Scales the BGR frame to INPUT_SIZE wide and pads it to INPUT_SIZE x INPUT_SIZE; returns the blob and the scale."""
    height, width = frame.shape[:2]
    scale = INPUT_SIZE / width
    resized = cv2.resize(frame, (INPUT_SIZE, max(1, round(height * scale))), interpolation=cv2.INTER_LINEAR)
    canvas = np.zeros((INPUT_SIZE, INPUT_SIZE, 3), dtype=np.uint8)
    canvas[: min(INPUT_SIZE, resized.shape[0])] = resized[:INPUT_SIZE]
    return cv2.dnn.blobFromImage(canvas), scale


def decode(outputs, scale):
    """Decodes the YuNet outputs as the product does; returns boxes (x, y, w, h), scores and 5 landmarks per face."""
    boxes, scores, landmarks = [], [], []
    for stride in STRIDES:
        cols = INPUT_SIZE // stride
        cls = outputs[f"cls_{stride}"].reshape(-1)
        obj = outputs[f"obj_{stride}"].reshape(-1)
        score = np.sqrt(np.clip(cls, 0, 1) * np.clip(obj, 0, 1))
        keep = np.nonzero(score >= SCORE_THRESHOLD)[0]
        if keep.size == 0:
            continue
        rows, columns = np.divmod(keep, cols)
        bbox = outputs[f"bbox_{stride}"].reshape(-1, 4)[keep]
        kps = outputs[f"kps_{stride}"].reshape(-1, 10)[keep]
        cx = (columns + bbox[:, 0]) * stride
        cy = (rows + bbox[:, 1]) * stride
        w = np.exp(bbox[:, 2]) * stride
        h = np.exp(bbox[:, 3]) * stride
        boxes.extend(np.stack([cx - w / 2, cy - h / 2, w, h], axis=1) / scale)
        scores.extend(score[keep])
        points = np.empty((keep.size, 5, 2), dtype=np.float32)
        points[:, :, 0] = (kps[:, 0::2] + columns[:, None]) * stride / scale
        points[:, :, 1] = (kps[:, 1::2] + rows[:, None]) * stride / scale
        landmarks.extend(points)
    if not boxes:
        return []
    kept = cv2.dnn.NMSBoxes([list(map(float, b)) for b in boxes], [float(s) for s in scores], SCORE_THRESHOLD, NMS_THRESHOLD)
    return [(boxes[i], landmarks[i]) for i in np.array(kept).reshape(-1)]


def align(frame_rgb, points):
    matrix, _ = cv2.estimateAffinePartial2D(points, ARCFACE_112, method=cv2.LMEDS)
    return cv2.warpAffine(frame_rgb, matrix, (112, 112), flags=cv2.INTER_LINEAR, borderValue=0)


def embed(net, aligned_rgb):
    blob = cv2.dnn.blobFromImage(aligned_rgb, scalefactor=1 / 128, mean=(127, 127, 127))
    net.setInput(blob)
    vector = net.forward().reshape(-1)
    return vector / max(np.linalg.norm(vector), 1e-12)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clip")
    parser.add_argument("--detector", required=True)
    parser.add_argument("--embedder", required=True)
    parser.add_argument("--fps", type=float, default=5)
    parser.add_argument("--max-frames", type=int, default=0)
    args = parser.parse_args()

    cv2.setNumThreads(1)
    detector = cv2.dnn.readNetFromONNX(args.detector)
    embedder = cv2.dnn.readNetFromONNX(args.embedder)
    names = detector.getUnconnectedOutLayersNames()
    capture = cv2.VideoCapture(args.clip)
    if not capture.isOpened():
        sys.exit(f"opencv_baseline: cannot open clip {args.clip}")
    clip_fps = capture.get(cv2.CAP_PROP_FPS) or args.fps
    step = max(1, round(clip_fps / args.fps))

    totals = {"decode": 0.0, "detect_forward": 0.0, "detect_other": 0.0, "align": 0.0, "embed_forward": 0.0}
    frames = faces = embedded = index = 0
    while True:
        start = time.perf_counter()
        ok, frame = capture.read()
        totals["decode"] += time.perf_counter() - start
        if not ok:
            break
        index += 1
        if (index - 1) % step:
            continue
        frames += 1
        start = time.perf_counter()
        blob, scale = letterbox(frame)
        detector.setInput(blob)
        forward_start = time.perf_counter()
        outputs = dict(zip(names, detector.forward(names)))
        forward_end = time.perf_counter()
        found = decode(outputs, scale)
        totals["detect_forward"] += forward_end - forward_start
        totals["detect_other"] += (forward_start - start) + (time.perf_counter() - forward_end)
        faces += len(found)
        rgb = None
        for box, points in found:
            if box[3] < MIN_FACE_PX:
                continue
            start = time.perf_counter()
            if rgb is None:
                rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            aligned = align(rgb, points)
            middle = time.perf_counter()
            embed(embedder, aligned)
            totals["align"] += middle - start
            totals["embed_forward"] += time.perf_counter() - middle
            embedded += 1
        if args.max_frames and frames >= args.max_frames:
            break
    # Decoding runs for every clip frame, so its cost is spread over the analysed ones.
    result = {
        "opencv": cv2.__version__,
        "frames": frames,
        "faces": faces,
        "embedded": embedded,
        "ms": {key: 1000 * value for key, value in totals.items()},
    }
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
