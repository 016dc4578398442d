import type { Bus } from '../core/bus';
import type { Config } from '../config/config';
import type { Logger } from '../log/logger';
import { open, seal } from '../identity/crypto';
import type { FaceAnalyzer } from './face-analyzer';
import { LiveCamera, type CameraDefinition } from './live-camera';
import type { StoreContext } from './store-context';

/**
 * The running cameras: those of the configuration file plus those added
 * through the API, which are kept in SQLite with their URL encrypted under
 * the store key (the URL may carry the stream password).
 */
export class CameraManager {
  private readonly cameras = new Map<string, LiveCamera>();
  private readonly fromConfig = new Set<string>();

  constructor(
    private readonly store: StoreContext,
    private readonly analyzer: FaceAnalyzer,
    private readonly config: Config,
    private readonly bus: Bus,
    private readonly log: Logger,
  ) {}

  /** Starts the configured cameras and the ones saved earlier through the API. */
  async startAll(): Promise<void> {
    for (const camera of this.config.cameras.filter((c) => c.enabled)) {
      this.fromConfig.add(camera.id);
      this.launch({ id: camera.id, name: camera.name ?? camera.id, rtspUrl: camera.rtspUrl, liveViewUrl: camera.liveViewUrl });
    }
    const rows = await this.store.db.all<{ id: string; name: string; source: Buffer; live_view: Buffer | null }>(
      'SELECT id, name, source, live_view FROM cameras WHERE store_id = ? ORDER BY created_at', [this.store.storeId],
    );
    for (const row of rows) {
      if (this.cameras.has(row.id)) continue;
      const rtspUrl = open(this.store.key, row.source, this.context(row.id)).toString('utf8');
      const liveViewUrl = row.live_view ? open(this.store.key, row.live_view, this.liveViewContext(row.id)).toString('utf8') : undefined;
      this.launch({ id: row.id, name: row.name, rtspUrl, liveViewUrl });
    }
  }

  list(): LiveCamera[] {
    return [...this.cameras.values()];
  }

  get(id: string): LiveCamera | undefined {
    return this.cameras.get(id);
  }

  /**
   * Saves and starts a camera; returns it. The id is derived from the name and made unique.
   * Both URLs are stored encrypted; `liveViewUrl` (default: the analysed stream) feeds the dashboard's live view.
   */
  async add(name: string, rtspUrl: string, liveViewUrl?: string): Promise<LiveCamera> {
    const id = this.uniqueId(name);
    const source = seal(this.store.key, Buffer.from(rtspUrl, 'utf8'), this.context(id));
    const liveView = liveViewUrl === undefined ? null : seal(this.store.key, Buffer.from(liveViewUrl, 'utf8'), this.liveViewContext(id));
    await this.store.db.transaction(() =>
      this.store.db.run('INSERT INTO cameras (id, store_id, name, source, live_view, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        id, this.store.storeId, name, source, liveView, Date.now() / 1000,
      ]),
    );
    return this.launch({ id, name, rtspUrl, liveViewUrl });
  }

  /** Stops a camera and deletes its saved definition; returns false for an unknown id. Cameras of the configuration file are only stopped. */
  async remove(id: string): Promise<boolean> {
    const camera = this.cameras.get(id);
    if (!camera) return false;
    this.cameras.delete(id);
    await camera.stop();
    if (!this.fromConfig.has(id)) {
      await this.store.db.transaction(() => this.store.db.run('DELETE FROM cameras WHERE id = ? AND store_id = ?', [id, this.store.storeId]));
    }
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.cameras.values()].map((camera) => camera.stop()));
    this.cameras.clear();
  }

  private launch(definition: CameraDefinition): LiveCamera {
    const camera = new LiveCamera(definition, this.analyzer, this.store, this.config, this.bus, this.log.child({ cameraId: definition.id }));
    this.cameras.set(definition.id, camera);
    camera.start();
    this.log.info('camera started', { cameraId: definition.id, name: definition.name });
    return camera;
  }

  private uniqueId(name: string): string {
    const base = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'camera';
    let id = base;
    for (let n = 2; this.cameras.has(id); n++) id = `${base}-${n}`;
    return id;
  }

  private context(id: string): string {
    return `${this.store.storeId}/camera/${id}`;
  }

  /** Returns the live-view URL's own encryption context, so the two sealed URLs of a camera cannot be swapped in the database. */
  private liveViewContext(id: string): string {
    return `${this.store.storeId}/camera/${id}/live-view`;
  }
}
