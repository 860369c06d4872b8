import { defineCodecAction, type Action } from '../../src/telegram/actions';

/**
 * An action that accepts any list of strings as its arguments: lets fuzz tests put
 * hostile arguments on real, typed buttons. Never use it in `src/`.
 */
export const rawAction = (name: string): Action<readonly string[]> =>
  defineCodecAction<readonly string[]>(name, { encode: (a) => a, decode: (raw) => [...raw] });
