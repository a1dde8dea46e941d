/**
 * `fromAISDK(...)` as a chat backend: the client's UI messages are validated with the AI SDK's
 * `safeValidateUIMessages` and converted with `convertToModelMessages`, and `streamText`'s answer
 * is streamed as the SDK's own UI message chunks — the standalone `toUIMessageStream` helper on
 * `ai` 7, the result's `toUIMessageStream()` method on `ai` 6.
 */
import * as ai from "ai";
import { convertToModelMessages, safeValidateUIMessages, streamText } from "ai";
import type {
  LanguageModel,
  TextStreamPart,
  ToolSet,
  UIMessage,
  UIMessageChunk,
  UIMessageStreamOptions,
} from "ai";
import type { ChatBackend, ChatStreamRequest, UIMessageLike } from "@agentsocket/core/agent";

/** What the chat methods need of the resolved `fromAISDK` options. */
export interface UIStreamSettings {
  model: LanguageModel;
  tools: ToolSet;
  system: string | undefined;
  stopWhen: Parameters<typeof streamText>[0]["stopWhen"];
}

/** `ai` 7's standalone helper; absent on `ai` 6, whose result has the method instead. */
type StandaloneToUIMessageStream = (
  options: {
    stream: AsyncIterable<TextStreamPart<ToolSet>>;
    tools?: ToolSet;
  } & UIMessageStreamOptions<UIMessage>,
) => AsyncIterable<UIMessageChunk>;
const standalone = (ai as unknown as { toUIMessageStream?: StandaloneToUIMessageStream })
  .toUIMessageStream;

/** The message a client sees for any model failure; the real error goes to `onError`. */
const FAILED = "The model provider failed";

/** The `validateMessages` and `streamUI` methods of a `fromAISDK` backend. */
export function uiStreamMethods(settings: UIStreamSettings): Required<ChatBackend> {
  const { model, tools, system, stopWhen } = settings;
  return {
    async validateMessages(messages) {
      const checked = await safeValidateUIMessages({ messages, tools: tools as never });
      if (!checked.success) throw checked.error;
      return checked.data as UIMessageLike[];
    },
    async streamUI(request: ChatStreamRequest) {
      const originalMessages = request.messages as unknown as UIMessage[];
      const result = streamText({
        model,
        tools,
        system,
        messages: await convertToModelMessages(originalMessages, { tools }),
        abortSignal: request.abortSignal,
        stopWhen,
        // Errors reach the client as sanitized `error` chunks; the SDK would also print them.
        onError: () => {},
      });
      const options: UIMessageStreamOptions<UIMessage> = {
        originalMessages,
        generateMessageId: () => request.responseMessageId,
        onError: (error) => {
          request.reportError(error);
          return FAILED;
        },
      };
      if (standalone) {
        // `ai` 7 names the part stream `stream` (`fullStream` on 6).
        const parts = (result as { stream?: AsyncIterable<TextStreamPart<ToolSet>> }).stream;
        return standalone({ stream: parts ?? result.fullStream, tools, ...options });
      }
      return result.toUIMessageStream(options);
    },
  };
}
