import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { ConnectionTestResult } from '../discovery/directory';
import type { DiscoverOptions } from '../discovery/discover';
import { DiscoveryError } from '../discovery/errors';
import type { Credentials, DiscoveredDevice, DiscoveryLogger } from '../discovery/types';
import { logger as projectLogger } from '../log/logger';

/** Directory operations the router uses; `DeviceDirectory` provides them. */
export interface DiscoveryRouterDeps {
  directory: {
    list(): DiscoveredDevice[];
    get(id: string): DiscoveredDevice | undefined;
    refresh(options?: DiscoverOptions): Promise<DiscoveredDevice[]>;
    testConnection(id: string, credentials: Credentials | undefined): Promise<ConnectionTestResult>;
  };
  logger?: DiscoveryLogger;
}

const MAX_USERNAME_LENGTH = 128;
const MAX_PASSWORD_LENGTH = 256;

/**
 * Onboarding routes, to be mounted under `/api/v1`:
 * - `GET /discovery`: the devices found, without credentials;
 * - `POST /discovery/scan` `{unicast?: string[], multicast?: boolean}`: probe again
 *   (multicast unless `multicast` is false, plus the unicast targets), then list;
 * - `POST /discovery/:id/test` `{username?, password?}`: test the connection before saving.
 *   It returns 200 with `{ok: true, sources}` or `{ok: false, error: {code, message}}`,
 *   where the code is unreachable, timeout, auth-failed, no-profile, no-stream-uri,
 *   invalid-response, soap-fault or stream-failed.
 * Credentials from requests are never returned or logged.
 */
export function createDiscoveryRouter(deps: DiscoveryRouterDeps): Router {
  const router = express.Router();
  const logger = deps.logger ?? projectLogger;
  router.use('/discovery', express.json({ limit: '16kb' }));
  router.use('/discovery', rejectBadJson);

  router.get('/discovery', (_request, response) => {
    response.json({ devices: deps.directory.list().map(publicDevice) });
  });

  router.post('/discovery/scan', async (request, response) => {
    const unicast = readUnicast(request.body);
    if (unicast instanceof Error) {
      response.status(400).json({ error: { code: 'invalid-input', message: unicast.message } });
      return;
    }
    const multicast = (request.body ?? {}).multicast !== false;
    try {
      await deps.directory.refresh({ unicast, multicast });
      response.json({ devices: deps.directory.list().map(publicDevice) });
    } catch (error) {
      sendError(response, error, logger);
    }
  });

  router.post('/discovery/:id/test', (request, response) =>
    testConnection(deps, logger, request, response),
  );
  return router;
}

async function testConnection(
  deps: DiscoveryRouterDeps,
  logger: DiscoveryLogger,
  request: Request,
  response: Response,
): Promise<void> {
  const id = request.params.id;
  if (deps.directory.get(id) === undefined) {
    response
      .status(404)
      .json({
        error: {
          code: 'not-found',
          message: `no discovered device has id "${id.slice(0, 100)}"; run a scan first`,
        },
      });
    return;
  }
  const credentials = readCredentials(request.body);
  if (credentials instanceof Error) {
    response.status(400).json({ error: { code: 'invalid-input', message: credentials.message } });
    return;
  }
  try {
    const result = await deps.directory.testConnection(id, credentials);
    logger.info('camera connection test finished', {
      cameraId: id,
      ok: result.ok,
      code: result.ok ? undefined : result.error.code,
    });
    response.json(result);
  } catch (error) {
    sendError(response, error, logger);
  }
}

/** Rejects a malformed or oversized JSON body with a 400 or 413 JSON error instead of express's HTML page. */
function rejectBadJson(
  error: { type?: string; status?: number },
  _request: Request,
  response: Response,
  next: NextFunction,
): void {
  if (error.type === 'entity.parse.failed' || error.type === 'entity.too.large') {
    response
      .status(error.status ?? 400)
      .json({
        error: {
          code: 'invalid-input',
          message: `request body is not valid JSON of at most 16 KiB (${error.type})`,
        },
      });
    return;
  }
  next(error);
}

function readCredentials(body: unknown): Credentials | undefined | Error {
  const fields = (body ?? {}) as Record<string, unknown>;
  const { username, password } = fields;
  if (username === undefined && password === undefined) {
    return undefined;
  }
  if (
    typeof username !== 'string' ||
    username.length === 0 ||
    username.length > MAX_USERNAME_LENGTH
  ) {
    return new Error(`username must be a string of 1-${MAX_USERNAME_LENGTH} characters`);
  }
  if (typeof password !== 'string' || password.length > MAX_PASSWORD_LENGTH) {
    return new Error(`password must be a string of at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  return { username, password };
}

function readUnicast(body: unknown): string[] | Error {
  const unicast = ((body ?? {}) as Record<string, unknown>).unicast;
  if (unicast === undefined) {
    return [];
  }
  if (
    !Array.isArray(unicast) ||
    unicast.length > 64 ||
    !unicast.every((item) => typeof item === 'string' && item.length <= 64)
  ) {
    return new Error('unicast must be an array of at most 64 address or range strings');
  }
  return unicast as string[];
}

function sendError(response: Response, error: unknown, logger: DiscoveryLogger): void {
  if (error instanceof DiscoveryError) {
    response
      .status(error.code === 'invalid-input' ? 400 : 502)
      .json({ error: { code: error.code, message: error.message } });
    return;
  }
  logger.warn('discovery request failed', {
    error: error instanceof Error ? error.message : String(error),
  });
  response
    .status(500)
    .json({ error: { code: 'internal', message: 'discovery failed; see the service log' } });
}

/** Selects the device fields the API shows from a fixed list, so a field added to the type later is not exposed by accident. */
export function publicDevice(device: DiscoveredDevice): Record<string, unknown> {
  return {
    id: device.id,
    address: device.address,
    serviceUrl: device.serviceUrl,
    name: device.name,
    hardware: device.hardware,
    reachability: device.reachability,
    source: device.source,
    lastSeenMs: device.lastSeenMs,
    scopes: device.scopes,
    types: device.types,
    info: device.info,
    profiles: device.profiles,
    sources: device.sources,
    warnings: device.warnings,
    error: device.error,
  };
}
