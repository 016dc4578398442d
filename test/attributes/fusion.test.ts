import { ageToBand, DEFAULT_FUSION_OPTIONS, fuseAttributes } from '../../plugin/attributes/fusion';

const sample = (age: number, pMale: number, weight = 1) => ({ sample: { age, pMale }, weight });

describe('ageToBand', () => {
  test.each([
    [0, 'under 18'],
    [17.9, 'under 18'],
    [18, '18-24'],
    [24.99, '18-24'],
    [25, '25-34'],
    [34.999, '25-34'],
    [35, '35-44'],
    [44.5, '35-44'],
    [45, '45-54'],
    [54.99, '45-54'],
    [55, '55-64'],
    [64.99, '55-64'],
    [65, '65+'],
    [101, '65+'],
  ])('age %p is band %p', (age, band) => {
    expect(ageToBand(age)).toBe(band);
  });

  test('negative age is under 18', () => {
    expect(ageToBand(-1)).toBe('under 18');
  });

  test('non-finite age is rejected', () => {
    expect(() => ageToBand(NaN)).toThrow(/finite/);
  });
});

describe('fuseAttributes', () => {
  test('no samples abstains on every field', () => {
    expect(fuseAttributes([])).toEqual({ age: null, ageBand: null, gender: null, genderConfidence: 0 });
  });

  test('only zero weights abstains on every field', () => {
    expect(fuseAttributes([sample(30, 0.9, 0), sample(40, 0.1, 0)])).toEqual({
      age: null,
      ageBand: null,
      gender: null,
      genderConfidence: 0,
    });
  });

  test('weighted mean of age and pMale', () => {
    const fused = fuseAttributes([sample(30, 0.9, 3), sample(50, 0.5, 1)]);
    expect(fused.age).toBeCloseTo(35, 10);
    expect(fused.ageBand).toBe('35-44');
    expect(fused.gender).toBe('male');
    // pMale = (0.9 * 3 + 0.5) / 4 = 0.8, so the confidence is |2 * 0.8 - 1| = 0.6.
    expect(fused.genderConfidence).toBeCloseTo(0.6, 10);
  });

  test('female when fused pMale is low', () => {
    const fused = fuseAttributes([sample(40, 0.05), sample(42, 0.15)]);
    expect(fused.gender).toBe('female');
    expect(fused.genderConfidence).toBeCloseTo(0.8, 10);
  });

  test('gender abstains inside the margin', () => {
    const fused = fuseAttributes([sample(40, 0.65)]);
    expect(fused.gender).toBeNull();
    expect(fused.genderConfidence).toBe(0);
    expect(fused.age).toBe(40);
    expect(fused.ageBand).toBe('35-44');
  });

  test('gender reported exactly at the margin', () => {
    const atMargin = 0.5 + DEFAULT_FUSION_OPTIONS.genderMargin;
    expect(fuseAttributes([sample(40, atMargin)]).gender).toBe('male');
    expect(fuseAttributes([sample(40, 1 - atMargin)]).gender).toBe('female');
  });

  test('custom margin changes the abstention', () => {
    expect(fuseAttributes([sample(40, 0.65)], { genderMargin: 0.1 }).gender).toBe('male');
    expect(fuseAttributes([sample(40, 0.9)], { genderMargin: 0.45 }).gender).toBeNull();
    expect(fuseAttributes([sample(40, 0.5)], { genderMargin: 0 }).gender).toBe('male');
  });

  test('under 18 abstains on gender', () => {
    const fused = fuseAttributes([sample(17.9, 0.99)]);
    expect(fused.ageBand).toBe('under 18');
    expect(fused.gender).toBeNull();
    expect(fused.genderConfidence).toBe(0);
  });

  test('exactly 18 reports gender', () => {
    const fused = fuseAttributes([sample(18, 0.01)]);
    expect(fused.ageBand).toBe('18-24');
    expect(fused.gender).toBe('female');
  });

  test('fused age decides the band, not single samples', () => {
    // 16 and 20 fuse to 18, an adult, even though one sample is a child's age.
    const fused = fuseAttributes([sample(16, 0.95), sample(20, 0.95)]);
    expect(fused.age).toBe(18);
    expect(fused.ageBand).toBe('18-24');
    expect(fused.gender).toBe('male');
  });

  test('only the best maxSamples are fused', () => {
    const samples = [sample(30, 0.9, 5), sample(32, 0.9, 4), sample(80, 0.1, 1)];
    const fused = fuseAttributes(samples, { maxSamples: 2 });
    expect(fused.age).toBeCloseTo((30 * 5 + 32 * 4) / 9, 10);
    expect(fused.gender).toBe('male');
  });

  test('input order does not change the result', () => {
    const samples = [sample(30, 0.9, 1), sample(60, 0.2, 2), sample(45, 0.6, 0.5)];
    const forward = fuseAttributes(samples, { maxSamples: 2 });
    const reversed = fuseAttributes([...samples].reverse(), { maxSamples: 2 });
    expect(reversed).toEqual(forward);
  });

  test('input array is not reordered', () => {
    const samples = [sample(30, 0.9, 1), sample(60, 0.2, 2)];
    fuseAttributes(samples);
    expect(samples[0].weight).toBe(1);
    expect(samples[1].weight).toBe(2);
  });

  test.each([
    [[sample(30, 0.5, -1)], /weight/],
    [[sample(30, 0.5, NaN)], /weight/],
    [[sample(NaN, 0.5)], /age/],
    [[sample(30, 1.2)], /pMale/],
    [[sample(30, -0.1)], /pMale/],
  ])('invalid sample %# is rejected', (samples, message) => {
    expect(() => fuseAttributes(samples)).toThrow(message);
  });

  test.each([
    [{ genderMargin: -0.1 }, /genderMargin/],
    [{ genderMargin: 0.6 }, /genderMargin/],
    [{ maxSamples: 0 }, /maxSamples/],
    [{ maxSamples: 1.5 }, /maxSamples/],
  ])('invalid options %p are rejected', (options, message) => {
    expect(() => fuseAttributes([sample(30, 0.9)], options)).toThrow(message);
  });
});
