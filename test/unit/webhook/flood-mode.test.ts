import { ManualClock } from '../../../src/clock';
import { silentLogger } from '../../support/silent-logger';
import { FloodMode } from '../../../src/webhook/flood-mode';

describe('FloodMode', () => {
  it('favours memory while connections arrive faster than the threshold, and speed after a calm period', () => {
    const clock = new ManualClock();
    const switches: boolean[] = [];
    const flood = new FloodMode(
      (on) => switches.push(on),
      { clock, log: silentLogger },
      { connectionsPerSecond: 10, calmMs: 5000 },
    );
    const second = (connections: number): void => {
      for (let i = 0; i < connections; i++) flood.connected();
      clock.advance(1000);
      flood.sample();
    };
    second(10);
    expect(flood.on).toBe(false);
    second(11);
    expect(flood.on).toBe(true);
    second(50);
    second(0);
    second(0);
    second(0);
    second(0);
    expect(flood.on).toBe(true);
    second(0);
    expect(flood.on).toBe(false);
    expect(switches).toEqual([true, false]);
  });

  it('switches back to speed when stopped during a flood', () => {
    const switches: boolean[] = [];
    const flood = new FloodMode(
      (on) => switches.push(on),
      { clock: new ManualClock(), log: silentLogger },
      { connectionsPerSecond: 1, calmMs: 1000 },
    );
    flood.connected();
    flood.connected();
    flood.sample();
    flood.stop();
    expect(switches).toEqual([true, false]);
  });
});
