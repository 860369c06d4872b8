import { newerTags } from '../../../../src/adapters/docker/tag-order';

describe('newerTags', () => {
  const tags = [
    'latest',
    '2023.12.31',
    '2024.01.05',
    '2024.02.01',
    '2024.10.20',
    '2024-03-01',
    '20240101',
    '20240106',
    '20250101',
    '20240106-120000',
    '20240107-080000',
    '2024.13.01',
    'build-9',
    'build-12',
    'build-100',
    'build-12a',
    'nightly-20240104',
    'nightly-20240110',
    '1.2.3',
    '1.3.0',
    'abc1234',
    'abc1299',
  ];

  it('dates: later dates of the same shape, newest first', () => {
    expect(newerTags('2024.01.05', tags)).toEqual(['2024.10.20', '2024.02.01']);
    expect(newerTags('2024-01-05', tags)).toEqual(['2024-03-01']);
    expect(newerTags('20240105', tags)).toEqual(['20250101', '20240106']);
    expect(newerTags('20240106-100000', tags)).toEqual(['20240107-080000', '20240106-120000']);
    // Not a date (month 13): no date rule, and not a version in the same major either.
    expect(newerTags('2024.13.01', tags)).toEqual([]);
  });

  it('custom tags: the same prefix with a larger numeric suffix', () => {
    expect(newerTags('build-12', tags)).toEqual(['build-100']);
    expect(newerTags('build-9', tags)).toEqual(['build-100', 'build-12']);
    expect(newerTags('nightly-20240105', tags)).toEqual(['nightly-20240110']);
  });

  it('versions keep the same-major rule; names without order have no "newer"', () => {
    expect(newerTags('1.2.3', tags)).toEqual(['1.3.0']);
    expect(newerTags('latest', tags)).toEqual([]);
    // A git SHA is not a numbered tag.
    expect(newerTags('abc1234', tags)).toEqual([]);
    expect(newerTags('1.3.0', tags)).toEqual([]);
  });

  it('caps the list', () => {
    const many = Array.from({ length: 30 }, (_, i) => `r${i}`);
    expect(newerTags('r1', many, 3)).toEqual(['r29', 'r28', 'r27']);
  });
});
