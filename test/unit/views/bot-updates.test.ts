import { APP_VERSION } from '../../../src/version';
import { botUpdatesView, updateGuideView } from '../../../src/views/bot-updates';

const release = {
  version: '9.0.0',
  name: 'tmbot 9.0.0',
  notes: 'New <b>things</b> & more',
  url: 'https://example.org/9.0.0',
  publishedAt: Date.UTC(2026, 10, 30),
};

describe('botUpdatesView', () => {
  it('announces a newer release with its notes (escaped), the guide button and the link', () => {
    const v = botUpdatesView({ ok: true, latest: release, comparison: 'newer_available' });
    expect(v.html.value).toContain('<b>tmbot 9.0.0</b> is available (released 2026-11-30)');
    expect(v.html.value).toContain(`You run <b>${APP_VERSION}</b>`);
    expect(v.html.value).toContain('New &lt;b&gt;things&lt;/b&gt; &amp; more');
    expect(v.keyboard).toEqual({
      kind: 'inline',
      rows: [
        [
          { text: '📘 How to update', action: 'botupd.guide', args: [] },
          { text: '📰 Release notes', url: 'https://example.org/9.0.0' },
        ],
      ],
    });
  });

  it('says when this build is the latest, or a development build newer than any release', () => {
    expect(botUpdatesView({ ok: true, latest: release, comparison: 'latest' }).html.value).toMatch(
      /is the latest release/,
    );
    expect(
      botUpdatesView({ ok: true, latest: release, comparison: 'development' }).html.value,
    ).toMatch(/a development build/);
  });

  it('explains a failed check without showing the feed URL', () => {
    const v = botUpdatesView({ ok: false, reason: 'timeout' });
    expect(v.html.value).toContain('did not answer in time');
    expect(v.html.value).not.toMatch(/https?:/);
  });
});

describe('updateGuideView', () => {
  it('covers the container, source/npm and systemd installs', () => {
    const text = updateGuideView().html.value;
    for (const part of ['docker compose up -d --build', 'npm ci', 'systemctl restart tmbot']) {
      expect(text).toContain(part);
    }
  });
});
