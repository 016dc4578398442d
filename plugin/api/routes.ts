/**
 * The REST routes under /api/v1. Every response is JSON, every error is
 * `{ error, field? }`, no stack trace is sent, and camera URLs are sent with
 * their credentials removed.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from '../log/logger';
import { ApiInputError, ApiNotFoundError, CameraConnectionError, type ApiBackend, type OnboardedCamera, type OnvifCameraRequest } from './backend';
import { redactText } from './redact';
import { checkPointCount, integerOr, optionalNumber, parseCameraRequest, timeRange } from './validate';
import { cameraView, visitorView } from './views';

export interface RestRouterOptions {
  backend: ApiBackend;
  logger: Logger;
  /** Extra fields for GET /health, such as live-connection counters. */
  healthDetails: () => Record<string, unknown>;
  /** Callback run after a camera was removed, so its live-view relay can stop. */
  onCameraRemoved: (cameraId: string) => void;
  /** Extra routes mounted before the built-in ones, for example the discovery routes. */
  extraRouter?: Router;
  nowS?: () => number;
}

const DEFAULT_VISITOR_LIMIT = 100;
const MAX_VISITOR_LIMIT = 1000;
const DEFAULT_OCCUPANCY_STEP_S = 60;
const DEFAULT_STATS_BUCKET_S = 3600;
const MAX_STEP_S = 31 * 86_400;

type AsyncHandler = (req: Request, res: Response) => Promise<void>;

function wrap(handler: AsyncHandler): RequestHandler {
  return (req, res, next) => {
    handler(req, res).catch(next);
  };
}

/**
 * Rejects a request body that is not JSON. This also stops cross-site form posts, because a
 * browser sends an application/json body to another origin only after a CORS preflight, which
 * this server never grants.
 */
function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || !hasBody(req) || req.is('application/json')) {
    next();
    return;
  }
  res.status(415).json({ error: 'unsupported content type; send the body as application/json', field: 'body' });
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

export function createRestRouter(options: RestRouterOptions): Router {
  const { backend } = options;
  const nowS = options.nowS ?? (() => Date.now() / 1000);
  const router = express.Router();
  router.use(requireJsonBody);
  router.use(express.json({ limit: '16kb' }));
  if (options.extraRouter) router.use(options.extraRouter);

  router.get('/health', (_req, res) => {
    const cameras = backend.listCameras();
    res.json({
      status: 'ok',
      uptimeS: Math.round(process.uptime()),
      cameras: { total: cameras.length, live: cameras.filter((camera) => camera.state === 'live').length },
      onboarding: backend.onboardCamera !== undefined,
      ...options.healthDetails(),
    });
  });

  router.get('/cameras', (_req, res) => {
    res.json(backend.listCameras().map(cameraView));
  });

  router.post('/cameras', wrap(async (req, res) => {
    const request = parseCameraRequest(req.body);
    if (request.kind === 'rtsp') {
      res.status(201).json(cameraView(await backend.addCamera(request.camera)));
      return;
    }
    res.status(201).json(onboardedView(await onboard(backend, request)));
  }));

  router.delete('/cameras/:id', wrap(async (req, res) => {
    await backend.removeCamera(req.params.id);
    options.onCameraRemoved(req.params.id);
    res.status(204).end();
  }));

  router.get('/visitors', wrap(async (req, res) => {
    const from = optionalNumber(req.query, 'from', 0, 1e11);
    const to = optionalNumber(req.query, 'to', 0, 1e11);
    const limit = integerOr(req.query, 'limit', DEFAULT_VISITOR_LIMIT, 1, MAX_VISITOR_LIMIT);
    const visitors = await backend.listVisitors({ from, to, limit });
    res.json(visitors.map(visitorView));
  }));

  router.get('/stats', wrap(async (req, res) => {
    const { from, to } = timeRange(req.query, nowS());
    const bucketS = integerOr(req.query, 'bucket', DEFAULT_STATS_BUCKET_S, 60, MAX_STEP_S);
    checkPointCount('bucket', from, to, bucketS);
    res.json(await backend.stats({ from, to, bucketS }));
  }));

  router.get('/occupancy', wrap(async (req, res) => {
    const { from, to } = timeRange(req.query, nowS());
    const stepS = integerOr(req.query, 'step', DEFAULT_OCCUPANCY_STEP_S, 1, MAX_STEP_S);
    checkPointCount('step', from, to, stepS);
    res.json(await backend.occupancy({ from, to, stepS }));
  }));

  router.use((req, res) => {
    res.status(404).json({ error: `not found: ${req.method} ${req.baseUrl}${req.path}` });
  });
  router.use(errorHandler(options.logger));
  return router;
}

function onboard(backend: ApiBackend, request: OnvifCameraRequest): Promise<OnboardedCamera> {
  if (!backend.onboardCamera) {
    const field = request.kind === 'discovery' ? 'discoveryId' : 'onvifAddress';
    throw new ApiInputError(field, 'this server cannot add ONVIF cameras (discovery is not running); send {"name", "rtspUrl"} instead');
  }
  return backend.onboardCamera(request);
}

/** Builds the response for an ONVIF camera: the camera and its chosen streams, fields copied one by one, free text redacted. */
function onboardedView({ camera, onvif }: OnboardedCamera): Record<string, unknown> {
  return {
    ...cameraView(camera),
    onvif: {
      deviceId: onvif.deviceId,
      profile: onvif.profile,
      codec: onvif.codec,
      width: onvif.width,
      height: onvif.height,
      liveViewCodec: onvif.liveViewCodec,
      liveViewNote: onvif.liveViewNote,
      warnings: onvif.warnings.map(redactText),
    },
  };
}

/** Turns any error into a JSON response: 400, 404 and 422 with their message, everything else a bare 500. */
export function errorHandler(logger: Logger): express.ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof ApiInputError) {
      res.status(400).json({ error: error.message, field: error.field });
      return;
    }
    if (error instanceof CameraConnectionError) {
      res.status(422).json({ error: redactText(error.message), field: error.field, code: error.code });
      return;
    }
    if (error instanceof ApiNotFoundError) {
      res.status(404).json({ error: error.message });
      return;
    }
    const status = httpStatusOf(error);
    if (status !== undefined && status >= 400 && status < 500) {
      res.status(status).json(clientErrorBody(error, status));
      return;
    }
    logger.error('API request failed', { method: req.method, path: req.path, error });
    res.status(500).json({ error: 'internal error; see the sidecar log for details' });
  };
}

/** Returns the status that body-parser sets on its errors (invalid JSON, body too large). */
function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

function clientErrorBody(error: unknown, status: number): { error: string; field: string } {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.parse.failed') return { error: 'invalid JSON in request body', field: 'body' };
  if (status === 413) return { error: 'request body too large (at most 16 KiB)', field: 'body' };
  return { error: `invalid request (${String(type ?? status)})`, field: 'body' };
}
