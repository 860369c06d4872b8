import type { ActionButton, ActionCall } from '../views/view';

/** How one argument travels: its canonical string, and the check a stored string must pass. */
export interface Field<T> {
  encode(value: T): string;
  /** The value, or undefined when `raw` is not a string this field produces. */
  decode(raw: string): T | undefined;
}

/** Turns whole arguments into stored strings and back; `decode` rejects anything forged or stale. */
export interface Codec<A> {
  encode(args: A): readonly string[];
  decode(raw: readonly string[]): A | undefined;
}

const INT = /^(?:0|-?[1-9][0-9]{0,14})$/;

/** The argument kinds buttons carry. */
export const field = {
  /** A whole number in [min, max]. */
  int(min: number, max: number): Field<number> {
    return {
      encode: (v) => String(v),
      decode(raw) {
        if (!INT.test(raw)) return undefined;
        const n = Number(raw);
        return n >= min && n <= max ? n : undefined;
      },
    };
  },
  /** Text matching `shape`, which must be anchored and bound the length. */
  text(shape: RegExp): Field<string> {
    if (!shape.source.startsWith('^') || !shape.source.endsWith('$'))
      throw new Error(`field shapes must be anchored: ${shape.source}`);
    return { encode: (v) => v, decode: (raw) => (shape.test(raw) ? raw : undefined) };
  },
  /** One of a fixed list of words. */
  oneOf<const T extends string>(values: readonly T[]): Field<T> {
    return {
      encode: (v) => v,
      decode: (raw) => values.find((v) => v === raw),
    };
  },
};

/** Named fields of an action, in the order they are stored. */
export type Fields = Readonly<Record<string, Field<unknown>>>;

/** The typed arguments described by `F`. */
export type ArgsOf<F extends Fields> = {
  readonly [K in keyof F]: F[K] extends Field<infer T> ? T : never;
};

/** Actions without arguments are called without them. */
type ArgsParam<A> = object extends A ? [args?: A] : [args: A];

/**
 * A callback action with typed arguments, shared by the views (which put it on
 * buttons) and the feature (which routes it with `router.on`).
 */
export interface Action<A> {
  readonly name: string;
  call(...args: ArgsParam<A>): ActionCall;
  button(text: string, ...args: ArgsParam<A>): ActionButton;
  /** The arguments of a pressed button, or undefined when they are not ones `call` makes. */
  decode(raw: readonly string[]): A | undefined;
}

/** `feature.screen`: lower case, dotted, short (names are stored with every token). */
const ACTION_NAME = /^[a-z][a-z0-9_.]{2,31}$/;
const isActionName = (name: string): boolean =>
  ACTION_NAME.test(name) &&
  name.split('.').every((part) => /^[a-z][a-z0-9_]*$/.test(part)) &&
  name.includes('.');

function makeAction<A>(name: string, codec: Codec<A>): Action<A> {
  if (!isActionName(name)) throw new Error(`invalid action name: ${name}`);
  const call = (...args: ArgsParam<A>): ActionCall =>
    ({ action: name, args: codec.encode((args[0] ?? {}) as A) }) as unknown as ActionCall;
  return {
    name,
    call,
    button: (text, ...args) => ({ text, ...call(...args) }),
    decode: (raw) => codec.decode(raw),
  };
}

/** An action whose arguments are named fields: `defineAction('docker.ctr', { host: field.int(0, 99) })`. */
export function defineAction<const F extends Fields = Record<never, never>>(
  name: string,
  fields: F = {} as F,
): Action<ArgsOf<F>> {
  const keys = Object.keys(fields) as (keyof F & string)[];
  return makeAction<ArgsOf<F>>(name, {
    encode: (args) => keys.map((k) => (fields[k] as Field<unknown>).encode(args[k])),
    decode(raw) {
      if (raw.length !== keys.length) return undefined;
      const out: Record<string, unknown> = {};
      for (const [i, k] of keys.entries()) {
        const value = (fields[k] as Field<unknown>).decode(raw[i] ?? '');
        if (value === undefined) return undefined;
        out[k] = value;
      }
      return out as ArgsOf<F>;
    },
  });
}

/** An action whose arguments need their own codec (e.g. a variable shape). */
export function defineCodecAction<A>(name: string, codec: Codec<A>): Action<A> {
  return makeAction(name, codec);
}

/** A button for an already encoded call (the 2FA guard's "Continue" button). */
export function buttonFor(text: string, call: ActionCall): ActionButton {
  return { text, ...({ action: call.action, args: call.args } as ActionCall) };
}
