import { EntityParseError, parseHtml } from '../../../src/demo/bot-api/html';

describe('parseHtml (Telegram parse_mode HTML)', () => {
  it('turns tags into entities with UTF-16 offsets and decodes the four named entities', () => {
    expect(
      parseHtml('🚀 <b>up</b> &lt;1&gt; &amp; <a href="https://x.test/?a=1&amp;b=2">link</a>'),
    ).toEqual({
      text: '🚀 up <1> & link',
      entities: [
        { type: 'bold', offset: 3, length: 2 },
        { type: 'text_link', offset: 12, length: 4, url: 'https://x.test/?a=1&b=2' },
      ],
    });
  });

  it('merges <pre><code class="language-x"> into one pre entity', () => {
    expect(parseHtml('<pre><code class="language-yaml">a: 1</code></pre>').entities).toEqual([
      { type: 'pre', offset: 0, length: 4, language: 'yaml' },
    ]);
  });

  it.each([
    ['a < b', 'Unsupported start tag "" at byte offset 2'],
    ['<br>', 'Unsupported start tag "br" at byte offset 0'],
    ['é<b', 'Unclosed start tag at byte offset 2'],
    ['<b>x</i>', 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
    ['x</b>', 'Unexpected end tag at byte offset 1'],
    ['<b>x', 'Can\'t find end tag corresponding to start tag "b"'],
  ])('rejects %j like Telegram', (src, message) => {
    expect(() => parseHtml(src)).toThrow(new EntityParseError(message));
  });
});
