/*
 * The live view of one camera. A JSMpeg player draws the relayed MPEG-1
 * video on one canvas. Face boxes from the live event socket are drawn on a
 * second canvas laid over it, scaled from analysed-frame pixels to the
 * displayed size.
 */
'use strict';

/** Boxes older than this are cleared, so a face that left the picture does not stay boxed. */
const BOX_TTL_MS = 1500;

class CameraLiveView {
  constructor(stage, cameraId) {
    this.stage = stage;
    this.cameraId = cameraId;
    this.player = null;
    this.lastFaces = null;
    this.clearTimer = 0;
    this.videoCanvas = stage.querySelector('canvas.video');
    this.overlay = stage.querySelector('canvas.overlay');
    this.resizeObserver = new ResizeObserver(() => this.drawOverlay());
    this.resizeObserver.observe(this.videoCanvas);
  }

  get isOpen() {
    return this.player !== null;
  }

  open() {
    if (this.player) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const url = `${scheme}://${location.host}/api/v1/cameras/${encodeURIComponent(this.cameraId)}/video`;
    // The 2D canvas renderer keeps frames readable with getImageData, and audio is never relayed.
    this.player = new JSMpeg.Player(url, {
      canvas: this.videoCanvas,
      audio: false,
      disableGl: true,
      pauseWhenHidden: false,
      reconnectInterval: 5,
    });
    this.stage.classList.add('open');
  }

  close() {
    if (!this.player) return;
    this.player.destroy();
    this.player = null;
    this.stage.classList.remove('open');
    this.lastFaces = null;
    this.drawOverlay();
  }

  /** Takes one `faces` event: {width, height, boxes: [{x, y, width, height, label}]}. */
  showFaces(faces) {
    this.lastFaces = faces;
    this.drawOverlay();
    clearTimeout(this.clearTimer);
    this.clearTimer = setTimeout(() => {
      this.lastFaces = null;
      this.drawOverlay();
    }, BOX_TTL_MS);
  }

  drawOverlay() {
    const ratio = window.devicePixelRatio || 1;
    const width = this.videoCanvas.clientWidth;
    const height = this.videoCanvas.clientHeight;
    this.overlay.width = Math.round(width * ratio);
    this.overlay.height = Math.round(height * ratio);
    const ctx = this.overlay.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const faces = this.lastFaces;
    this.overlay.dataset.boxes = String(faces && this.isOpen ? faces.boxes.length : 0);
    if (!faces || !this.isOpen || !faces.width || !faces.height) return;
    const sx = width / faces.width;
    const sy = height / faces.height;
    for (const box of faces.boxes) drawBox(ctx, box, sx, sy);
  }
}

function drawBox(ctx, box, sx, sy) {
  const x = box.x * sx;
  const y = box.y * sy;
  // A dark outline under the green stroke keeps the box visible on bright and green scenes alike.
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.6)';
  ctx.lineWidth = 4;
  ctx.strokeRect(x, y, box.width * sx, box.height * sy);
  ctx.strokeStyle = '#38d39f';
  ctx.lineWidth = 2;
  ctx.strokeRect(x, y, box.width * sx, box.height * sy);
  if (!box.label) return;
  ctx.font = '12px system-ui, sans-serif';
  const textW = ctx.measureText(box.label).width + 8;
  const labelY = y >= 18 ? y - 18 : y + box.height * sy;
  ctx.fillStyle = 'rgba(20, 24, 32, 0.8)';
  ctx.fillRect(x, labelY, textW, 18);
  ctx.fillStyle = '#ffffff';
  ctx.textBaseline = 'middle';
  ctx.fillText(box.label, x + 4, labelY + 9);
}
