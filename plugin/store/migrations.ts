/**
 * Schema migrations, applied in order; PRAGMA user_version stores how many
 * have run. Append new steps, never edit a released one. No table contains
 * an image: templates are AES-256-GCM ciphertext.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE visitors (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    templates BLOB,              -- encrypted Float32 templates, NULL when not identified
    template_count INTEGER NOT NULL DEFAULT 0,
    first_seen REAL NOT NULL,    -- Unix seconds
    last_seen REAL NOT NULL,
    visit_count INTEGER NOT NULL DEFAULT 1,
    gender TEXT CHECK (gender IN ('female', 'male')),
    age REAL,
    age_band TEXT,
    expires_at REAL NOT NULL
  );
  CREATE INDEX visitors_store ON visitors (store_id, last_seen);
  CREATE INDEX visitors_expiry ON visitors (expires_at);

  CREATE TABLE visits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id TEXT NOT NULL,
    visitor_id TEXT NOT NULL REFERENCES visitors (id) ON DELETE CASCADE,
    camera_id TEXT NOT NULL,
    start_ts REAL NOT NULL,
    end_ts REAL NOT NULL,
    is_returning INTEGER NOT NULL,
    identified INTEGER NOT NULL,
    gender TEXT,
    age REAL,
    age_band TEXT,
    face_size_px REAL NOT NULL DEFAULT 0,  -- largest face height seen
    closed INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX visits_time ON visits (store_id, start_ts);
  CREATE INDEX visits_visitor ON visits (visitor_id);

  CREATE TABLE occupancy (
    store_id TEXT NOT NULL,
    camera_id TEXT NOT NULL,
    t INTEGER NOT NULL,          -- whole Unix second
    count INTEGER NOT NULL,
    PRIMARY KEY (store_id, camera_id, t)
  ) WITHOUT ROWID;

  CREATE TABLE coverage (
    store_id TEXT NOT NULL,
    camera_id TEXT NOT NULL,
    from_ts REAL NOT NULL,       -- Unix seconds with camera data
    to_ts REAL NOT NULL
  );
  CREATE INDEX coverage_time ON coverage (store_id, from_ts);

  CREATE TABLE optout (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    template BLOB NOT NULL,      -- encrypted
    created_at REAL NOT NULL
  );
  `,
  `
  CREATE TABLE cameras (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL,
    name TEXT NOT NULL,
    source BLOB NOT NULL,        -- encrypted RTSP URL (it may carry credentials)
    created_at REAL NOT NULL
  );
  `,
  `
  -- encrypted RTSP URL of the live-view stream (often the main stream); NULL when it is the analysed stream
  ALTER TABLE cameras ADD COLUMN live_view BLOB;
  `,
  `
  CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL          -- 'key-check': a known text sealed with the store key
  );
  `,
];
