import path from 'node:path';
import { loadConfigFile, parseConfig, type Config } from './config/config';
import { Bus } from './core/bus';
import { logger } from './log/logger';
import { resolveModels } from '../models/loader';
import { FaceAnalyzer } from './pipeline/face-analyzer';
import { frameAnalysisOptions, workerCount } from './pipeline/options';
import { openStore } from './pipeline/store-context';
import { CameraManager } from './pipeline/camera-manager';
import { StoreBackend } from './api/store-backend';
import { createApiServer } from './api/server';
import { createDiscoveryRouter } from './api/discovery-router';
import { DeviceDirectory } from './discovery/directory';
import { CameraOnboarding } from './pipeline/onboarding';
import { startRetentionSweeper, sweepExpired } from './identity/retention';
import { parseArgs } from './cli/args';

const USAGE = `usage: npm start -- [--config FILE] [--data DIR] [--port N]

Runs the sidecar: analyses the configured cameras and serves the API and
dashboard on 127.0.0.1 (or api.host from the configuration).
  --config  JSON configuration file (schema: manifest.json configSchema)
  --data    data folder for the SQLite database and the store key (default ./data)
  --port    TCP port of the API and dashboard (default: api.port, 8080)`;

interface Options {
  config: Config;
  dataDir: string;
}

function readOptions(argv: string[]): Options | undefined {
  const args = parseArgs(argv, ['config', 'data', 'port'], ['help']);
  if (args.flags.has('help')) return undefined;
  const file = args.options.get('config');
  let config = file ? loadConfigFile(file) : parseConfig({});
  const port = args.options.get('port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port)) throw new Error(`invalid --port "${port}": expected a TCP port number from 0 to 65535`);
    config = parseConfig({ ...config, api: { ...config.api, port: Number(port) } });
  }
  return { config, dataDir: path.resolve(args.options.get('data') ?? 'data') };
}

/** Explains a failure to listen on the API address; other errors pass unchanged. */
function listenError(error: NodeJS.ErrnoException, api: Config['api']): Error {
  if (error.code === 'EADDRINUSE') {
    return new Error(`port ${api.port} on ${api.host} is already in use; stop the program that uses it or start with another --port`);
  }
  if (error.code === 'EADDRNOTAVAIL') return new Error(`api.host ${api.host} is not an address of this computer; set api.host to one of its addresses`);
  return error;
}

/** Starts every part of the sidecar and returns a function that stops them in reverse order. */
export async function startSidecar({ config, dataDir }: Options): Promise<{ url: string; stop(): Promise<void> }> {
  const bus = new Bus();
  bus.onSubscriberError(({ name, error }) => logger.error('event subscriber failed', { event: name, error }));
  const models = await resolveModels();
  const analyzer = new FaceAnalyzer(
    { detector: models.detector.path, embedder: models.embedder.path, ageGender: models.ageGender.path },
    frameAnalysisOptions(config),
    workerCount(config),
  );
  await analyzer.ready();
  const store = await openStore(dataDir, config);
  const cameras = new CameraManager(store, analyzer, config, bus, logger);
  const directory = new DeviceDirectory({ logger });
  const onboarding = new CameraOnboarding(directory, { analysisSize: config.analysis, logger });
  const api = await createApiServer({
    backend: new StoreBackend(store, cameras, config.analysis, onboarding),
    bus,
    host: config.api.host,
    port: config.api.port,
    discoveryRouter: createDiscoveryRouter({ directory, logger }),
    logger,
  }).catch(async (error: NodeJS.ErrnoException) => {
    await analyzer.close();
    await store.close();
    throw listenError(error, config.api);
  });
  await cameras.startAll();
  await listenForCameras(directory, config.discovery);
  const startupProbe = probeOnStart(directory, config);

  const stopSweeper = startRetentionSweeper(
    () => sweepExpired(store.db, store.gallery, store.storeId, Date.now() / 1000),
    config.privacy.sweepIntervalS,
    (error) => logger.error('retention sweep failed', { error }),
  );
  const housekeeping = setInterval(() => {
    const now = Date.now() / 1000;
    store.visits.closeIdle(now).catch((error) => logger.error('closing idle visits failed', { error }));
    for (const camera of cameras.list()) {
      camera.pipeline.checkpoint().catch((error) => logger.error('saving coverage failed', { error, cameraId: camera.definition.id }));
      camera.publishStatus();
    }
  }, 5000);
  housekeeping.unref();

  logger.info('sidecar started', { url: api.url, cameras: cameras.list().length, storeId: store.storeId, dataDir });
  return {
    url: api.url,
    stop: async () => {
      clearInterval(housekeeping);
      stopSweeper();
      await api.close();
      await startupProbe;
      await directory.close();
      await cameras.stopAll();
      await analyzer.close();
      await store.close();
      logger.info('sidecar stopped');
    },
  };
}

/** Starts the WS-Discovery Hello/Bye listener when discovery.listen is set; a failure is logged and the sidecar runs on without it. */
async function listenForCameras(directory: DeviceDirectory, options: Config['discovery']): Promise<void> {
  if (!options.listen) return;
  try {
    await directory.listen();
  } catch (error) {
    logger.error('WS-Discovery listener did not start; the found-devices list changes only on a scan', { error });
  }
}

/** Runs the start-up probe in the background when discovery.probeOnStart is set; the promise never rejects. */
function probeOnStart(directory: DeviceDirectory, config: Config): Promise<void> {
  const options = config.discovery;
  if (!options.probeOnStart) return Promise.resolve();
  return directory.refresh({ multicast: options.multicast, unicast: options.unicast, analysisSize: config.analysis }).then(
    (devices) => logger.info('start-up ONVIF probe finished', { devices: devices.length }),
    (error) => logger.error('start-up ONVIF probe failed', { error }),
  );
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  const sidecar = await startSidecar(options);
  console.log(`shopface is running: open ${sidecar.url} in a browser (Ctrl+C stops it)`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    sidecar.stop().then(() => process.exit(0), (error) => {
      logger.error('shutdown failed', { error });
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`shopface: ${error.message}`);
    process.exit(1);
  });
}
