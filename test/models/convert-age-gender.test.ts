import { createHash } from 'crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as ort from 'onnxruntime-node';
import * as os from 'os';
import * as path from 'path';
import { loadCatalogue } from '../../models/catalogue';
import { convertAgeGender, faceApiPackageDir, hwioToOihw, writeAgeGenderModel } from '../../models/convert-age-gender';
import { decodeModel, encodeModel, floatTensor, floatValueInfo } from '../../models/onnx-proto';
import { readTfjsWeights } from '../../models/tfjs-weights';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let tempRoot: string;

beforeEach(() => {
  tempRoot = mkdtempSync(path.join(os.tmpdir(), 'shopface-convert-'));
});

afterEach(() => {
  rmSync(tempRoot, { recursive: true, force: true });
});

describe('hwioToOihw', () => {
  test('regular filter moves output channels first', () => {
    // Shape [kh=1, kw=2, in=2, out=3]; the value encodes its own TF index as h w i o digits.
    const values = new Float32Array([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    const out = hwioToOihw({ shape: [1, 2, 2, 3], values });
    // ONNX [o][i][h][w]: o=0 -> i=0 -> (w=0: 0, w=1: 100), i=1 -> (10, 110); then o=1 ...
    expect(Array.from(out)).toEqual([0, 100, 10, 110, 1, 101, 11, 111, 2, 102, 12, 112]);
  });

  test('depthwise filter becomes [channels, 1, kh, kw]', () => {
    // Shape [kh=2, kw=1, channels=2, 1]; TF order h, c.
    const values = new Float32Array([1, 2, 3, 4]);
    const out = hwioToOihw({ shape: [2, 1, 2, 1], values }, true);
    expect(Array.from(out)).toEqual([1, 3, 2, 4]);
  });
});

describe('readTfjsWeights', () => {
  function writeManifest(weights: object[], shard: Buffer): string {
    const dir = path.join(tempRoot, 'weights');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'shard.bin'), shard);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify([{ paths: ['shard.bin'], weights }]));
    return path.join(dir, 'manifest.json');
  }

  test('dequantises uint8 and reads float32', () => {
    const floats = Buffer.alloc(8);
    floats.writeFloatLE(1.5, 0);
    floats.writeFloatLE(-2.25, 4);
    const manifest = writeManifest(
      [
        { name: 'q', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
        { name: 'f', shape: [2], dtype: 'float32' },
      ],
      Buffer.concat([Buffer.from([0, 2, 255]), floats]),
    );
    const tensors = readTfjsWeights(manifest);
    expect(Array.from(tensors.get('q')!.values)).toEqual([-1, 0, 126.5]);
    expect(Array.from(tensors.get('f')!.values)).toEqual([1.5, -2.25]);
    expect(tensors.get('q')!.shape).toEqual([3]);
  });

  test('shard size mismatch is rejected', () => {
    const manifest = writeManifest([{ name: 'f', shape: [2], dtype: 'float32' }], Buffer.alloc(12));
    expect(() => readTfjsWeights(manifest)).toThrow(/8 bytes but the shards hold 12/);
  });

  test('short shard is rejected', () => {
    const manifest = writeManifest([{ name: 'f', shape: [4], dtype: 'float32' }], Buffer.alloc(8));
    expect(() => readTfjsWeights(manifest)).toThrow(/weight f/);
  });

  test('face-api manifest matches its shard exactly', () => {
    const tensors = readTfjsWeights(path.join(faceApiPackageDir(), 'model/age_gender_model-weights_manifest.json'));
    expect(tensors.get('fc/gender/weights')!.shape).toEqual([512, 2]);
    // conv_in (2) + 3 reduction blocks x (2 separable convs x 3 + expansion conv 2) + 2 main blocks x 3 separable convs x 3
    // + exit separable conv (3) + two dense layers (4).
    expect(tensors.size).toBe(2 + 3 * 8 + 2 * 9 + 3 + 4);
  });
});

describe('onnx-proto', () => {
  test('encoded model decodes to the same fields', () => {
    const bytes = encodeModel({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      producerName: 'test',
      producerVersion: '1',
      graph: {
        name: 'g',
        node: [{ name: 'y', opType: 'Relu', input: ['x'], output: ['y'], attribute: [] }],
        initializer: [floatTensor('w', [2], new Float32Array([1, 2]))],
        input: [floatValueInfo('x', [1, 2])],
        output: [floatValueInfo('y', [1, 2])],
      },
    });
    const decoded = decodeModel(bytes) as { irVersion: number; graph: { node: { opType: string }[]; initializer: { dims: number[] }[] } };
    expect(decoded.irVersion).toBe(7);
    expect(decoded.graph.node[0].opType).toBe('Relu');
    expect(decoded.graph.initializer[0].dims).toEqual([2]);
  });

  test('tensor with wrong value count is rejected', () => {
    expect(() => floatTensor('w', [2, 2], new Float32Array(3))).toThrow(/tensor w: 3 values/);
  });
});

describe('convertAgeGender', () => {
  test('output is deterministic and matches models.json', () => {
    const entry = loadCatalogue().models.find((m) => m.role === 'ageGender')!;
    const first = convertAgeGender();
    const second = convertAgeGender();
    expect(sha256(first)).toBe(sha256(second));
    expect(sha256(first)).toBe(entry.sha256);
    expect(first.length).toBe(entry.bytes);
  });

  test('converted graph has the catalogued inputs and outputs', async () => {
    const file = path.join(tempRoot, 'age_gender.onnx');
    const written = writeAgeGenderModel(file);
    expect(written.sha256).toBe(sha256(readFileSync(file)));
    const session = await ort.InferenceSession.create(file, { logSeverityLevel: 3 });
    try {
      expect(session.inputNames).toEqual(['input']);
      expect(session.outputNames).toEqual(['age', 'gender']);
      const input = new ort.Tensor('float32', new Float32Array(3 * 112 * 112), [1, 3, 112, 112]);
      const out = await session.run({ input });
      expect(out.age.dims).toEqual([1, 1]);
      expect(out.gender.dims).toEqual([1, 2]);
      const [male, female] = Array.from(out.gender.data as Float32Array);
      expect(male + female).toBeCloseTo(1, 5);
    } finally {
      await session.release();
    }
  });
});
