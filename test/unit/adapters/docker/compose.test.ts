import {
  COMPOSE_LABELS,
  groupStacks,
  parseDependsOn,
  startOrder,
} from '../../../../src/adapters/docker/compose';
import type { ContainerSummary } from '../../../../src/adapters/docker/port';
import { summary } from '../../views/docker-fixtures';

/** A container of compose project `project`, service `service`, depending on `deps`. */
function svc(project: string, service: string, deps?: string): ContainerSummary {
  return summary(`${project}-${service}-1`, {
    labels: {
      [COMPOSE_LABELS.project]: project,
      [COMPOSE_LABELS.service]: service,
      ...(deps !== undefined ? { [COMPOSE_LABELS.dependsOn]: deps } : {}),
    },
  });
}

const services = (list: readonly ContainerSummary[]): string[] =>
  list.map((c) => c.labels?.[COMPOSE_LABELS.service] ?? c.name);

describe('compose stacks', () => {
  it('groups containers by project label; the rest are standalone', () => {
    const g = groupStacks([
      svc('shop', 'web'),
      summary('solo'),
      svc('blog', 'db'),
      svc('shop', 'db'),
      summary('empty-label', { labels: { [COMPOSE_LABELS.project]: '' } }),
    ]);
    expect(g.stacks.map((s) => [s.project, services(s.containers)])).toEqual([
      ['blog', ['db']],
      ['shop', ['db', 'web']],
    ]);
    expect(g.standalone.map((c) => c.name)).toEqual(['empty-label', 'solo']);
  });

  it('reads depends_on labels: names only, deduplicated, bounded', () => {
    expect(parseDependsOn('db:service_healthy:false,cache:service_started:true')).toEqual([
      'db',
      'cache',
    ]);
    expect(parseDependsOn('db, db:x ,,:y')).toEqual(['db']);
    expect(parseDependsOn(undefined)).toEqual([]);
    const many = Array.from({ length: 500 }, (_, i) => `s${i}:service_started:false`).join(',');
    expect(parseDependsOn(many).length).toBeLessThanOrEqual(64);
  });

  it('orders services after their dependencies (stop is the reverse)', () => {
    const order = startOrder([
      svc('shop', 'web', 'api:service_started:false'),
      svc('shop', 'api', 'db:service_healthy:false,cache:service_started:false'),
      svc('shop', 'db'),
      svc('shop', 'cache'),
    ]);
    expect(services(order)).toEqual(['cache', 'db', 'api', 'web']);
  });

  it('ignores dependencies on services outside the stack and on itself', () => {
    const order = startOrder([
      svc('shop', 'web', 'ghost:service_started:false,web:x:y'),
      svc('shop', 'api', 'web:service_started:false'),
    ]);
    expect(services(order)).toEqual(['web', 'api']);
  });

  it('breaks a dependency cycle deterministically and keeps every service', () => {
    const cyc = [
      svc('shop', 'c', 'b:service_started:false'),
      svc('shop', 'b', 'a:service_started:false'),
      svc('shop', 'a', 'c:service_started:false'),
      svc('shop', 'z', 'a:service_started:false'),
    ];
    const order = services(startOrder(cyc));
    expect(order).toEqual(['a', 'b', 'c', 'z']);
    expect(services(startOrder([...cyc].reverse()))).toEqual(order);
  });

  it('takes containers without a service label by name', () => {
    const c = summary('loose', {
      labels: { [COMPOSE_LABELS.project]: 'p' },
    });
    expect(startOrder([c]).map((x) => x.name)).toEqual(['loose']);
  });
});
