/** Telegram's error answers, verbatim, as the embedded Bot API server gives them. */

/** Telegram's error descriptions, verbatim (clients and tests match on them). */
export const TG_ERRORS = {
  unauthorized: 'Unauthorized',
  notFound: 'Not Found',
  chatIdEmpty: 'Bad Request: chat_id is empty',
  chatNotFound: 'Bad Request: chat not found',
  textEmpty: 'Bad Request: message text is empty',
  textTooLong: 'Bad Request: message is too long',
  captionTooLong: 'Bad Request: message caption is too long',
  buttonDataInvalid: 'Bad Request: BUTTON_DATA_INVALID',
  markupInvalid: "Bad Request: can't parse reply keyboard markup JSON object",
  queryInvalid: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
  editNotFound: 'Bad Request: message to edit not found',
  notModified:
    'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
  noTextToEdit: 'Bad Request: there is no text in the message to edit',
  noCaptionToEdit: 'Bad Request: there is no caption in the message to edit',
  noMediaToEdit: 'Bad Request: there is no media in the message to edit',
  mediaInvalid: "Bad Request: can't parse InputMedia: media not found",
  cantEdit: "Bad Request: message can't be edited",
  deleteNotFound: 'Bad Request: message to delete not found',
  replyNotFound: 'Bad Request: message to be replied not found',
  messageIdMissing: 'Bad Request: message identifier is not specified',
  wrongFile: 'Bad Request: wrong file identifier/HTTP URL specified',
  fileEmpty: 'Bad Request: file must be non-empty',
  imageFailed: 'Bad Request: IMAGE_PROCESS_FAILED',
  invalidFileId: 'Bad Request: invalid file_id',
  wrongAction: 'Bad Request: wrong parameter action in request',
  commandInvalid: 'Bad Request: BOT_COMMAND_INVALID',
  webhookHttps: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
  webhookPort: 'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443',
  conflictPolling:
    'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
  conflictWebhook:
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
} as const;

/** A Bot API error answer: HTTP status = `error_code`. */
export class ApiError extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}
