import type { RemoteEndpoint } from '../config/types';
import { boundedRequest, RemoteHostError } from './http-get';
import { isoTime } from '../clock';

/** An equality matcher of a silence. */
export interface SilenceMatcher {
  readonly name: string;
  readonly value: string;
}

export interface SilenceRequest {
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly createdBy: string;
  readonly comment: string;
}

/** Alertmanager's API v2, the part the Silence buttons use. */
export class AlertmanagerClient {
  private readonly base: URL;

  constructor(private readonly endpoint: RemoteEndpoint) {
    this.base = new URL(endpoint.url.endsWith('/') ? endpoint.url : `${endpoint.url}/`);
  }

  /** Creates a silence; resolves to its id. Throws RemoteHostError with a user-safe reason. */
  async createSilence(s: SilenceRequest): Promise<string> {
    const body = JSON.stringify({
      matchers: s.matchers.map((m) => ({
        name: m.name,
        value: m.value,
        isRegex: false,
        isEqual: true,
      })),
      startsAt: isoTime(s.startsAt.getTime()),
      endsAt: isoTime(s.endsAt.getTime()),
      createdBy: s.createdBy,
      comment: s.comment,
    });
    const res = await boundedRequest(
      new URL('api/v2/silences', this.base),
      this.endpoint.auth,
      this.endpoint.limits,
      { method: 'POST', body },
    );
    if (res.status !== 200) throw new RemoteHostError(`Alertmanager answered HTTP ${res.status}`);
    let doc: unknown;
    try {
      doc = JSON.parse(res.body);
    } catch {
      throw new RemoteHostError('Alertmanager answered something that is not JSON');
    }
    const id = (doc as { silenceID?: unknown } | null)?.silenceID;
    if (typeof id !== 'string' || id.length > 64)
      throw new RemoteHostError('Alertmanager did not return a silence id');
    return id;
  }
}
