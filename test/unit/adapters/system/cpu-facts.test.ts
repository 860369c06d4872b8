import { cpuFactsFromProc } from '../../../../src/adapters/system/cpu-facts';

const intel = [0, 1, 2, 3]
  .map((cpu) =>
    [
      `processor\t: ${cpu}`,
      'vendor_id\t: GenuineIntel',
      'model name\t: Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz',
      'physical id\t: 0',
      `core id\t\t: ${cpu % 2}`,
    ].join('\n'),
  )
  .join('\n\n');

describe('cpuFactsFromProc', () => {
  it('names the model as systeminformation does and counts physical cores, not threads', () => {
    expect(cpuFactsFromProc(intel, '400000\n', '4000000\n')).toEqual({
      model: 'Intel Core™ i7-8550U',
      physicalCores: 2,
      mhzMin: 400,
      mhzMax: 4000,
    });
  });

  it('counts cores per socket on multi-socket hosts and leaves absent clock limits out', () => {
    const twoSockets = ['0', '1']
      .map((socket) => `model name\t: AMD EPYC\nphysical id\t: ${socket}\ncore id\t\t: 0`)
      .join('\n\n');
    expect(cpuFactsFromProc(twoSockets, undefined, 'garbage')).toEqual({
      model: 'AMD EPYC',
      physicalCores: 2,
      mhzMin: undefined,
      mhzMax: undefined,
    });
  });

  it('gives up (systeminformation then answers) when the kernel does not name the model', () => {
    expect(
      cpuFactsFromProc(
        'processor\t: 0\nBogoMIPS\t: 48.00\nHardware\t: BCM2835',
        undefined,
        undefined,
      ),
    ).toBeUndefined();
    expect(cpuFactsFromProc('', undefined, undefined)).toBeUndefined();
  });
});
