import type { SendOptions, SentMessage, Sender } from '../../src/telegram/sender';
import { visibleText } from '../../src/views/html';
import type { View } from '../../src/views/view';

export interface Sent {
  kind: 'send' | 'edit' | 'photo' | 'document';
  chatId: number;
  messageId: number;
  text: string;
  view: View;
  options: SendOptions;
}

/** Records what features send; for unit tests of middleware and handlers. */
export class FakeSender implements Sender {
  readonly sent: Sent[] = [];
  readonly answers: { id: string; text?: string; alert: boolean }[] = [];
  readonly deleted: { chatId: number; messageId: number }[] = [];
  private nextId = 100;

  send(chatId: number, view: View, options: SendOptions = {}): Promise<SentMessage> {
    const messageId = this.nextId++;
    this.sent.push({
      kind: 'send',
      chatId,
      messageId,
      text: visibleText(view.html.value),
      view,
      options,
    });
    return Promise.resolve({ chatId, messageId });
  }
  edit(
    chatId: number,
    messageId: number,
    view: View,
    options: SendOptions = {},
  ): Promise<'edited' | 'unchanged'> {
    const last = [...this.sent].reverse().find((s) => s.messageId === messageId);
    const text = visibleText(view.html.value);
    if (
      last !== undefined &&
      last.view.html.value === view.html.value &&
      JSON.stringify(last.view.keyboard) === JSON.stringify(view.keyboard)
    ) {
      return Promise.resolve('unchanged');
    }
    this.sent.push({ kind: 'edit', chatId, messageId, text, view, options });
    return Promise.resolve('edited');
  }
  answer(id: string, text?: string, alert = false): Promise<void> {
    this.answers.push({ id, ...(text !== undefined ? { text } : {}), alert });
    return Promise.resolve();
  }
  delete(chatId: number, messageId: number): Promise<boolean> {
    this.deleted.push({ chatId, messageId });
    return Promise.resolve(true);
  }
  sendPhoto(
    chatId: number,
    _png: Buffer,
    caption: View,
    options: SendOptions = {},
  ): Promise<SentMessage> {
    return this.record('photo', chatId, caption, options);
  }
  sendDocument(
    chatId: number,
    _c: Buffer,
    _f: string,
    caption: View,
    options: SendOptions = {},
  ): Promise<SentMessage> {
    return this.record('document', chatId, caption, options);
  }
  editPhoto(
    chatId: number,
    messageId: number,
    _png: Buffer,
    caption: View,
    options: SendOptions = {},
  ): Promise<SentMessage> {
    this.sent.push({
      kind: 'edit',
      chatId,
      messageId,
      text: visibleText(caption.html.value),
      view: caption,
      options,
    });
    return Promise.resolve({ chatId, messageId });
  }
  private record(
    kind: 'photo' | 'document',
    chatId: number,
    caption: View,
    options: SendOptions,
  ): Promise<SentMessage> {
    const messageId = this.nextId++;
    this.sent.push({
      kind,
      chatId,
      messageId,
      text: visibleText(caption.html.value),
      view: caption,
      options,
    });
    return Promise.resolve({ chatId, messageId });
  }
  textsTo(chatId: number): string[] {
    return this.sent.filter((s) => s.chatId === chatId).map((s) => s.text);
  }
}
