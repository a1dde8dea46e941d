/**
 * The payloads resumable streams add: `resume {streamId, offset, epoch?}`, and `cancel` naming a
 * running request of this connection (`requestId`) or any stream of the same user (`streamId`).
 */
import { z } from "zod";
import { MAX_REQUEST_ID } from "../schemas.ts";

const id = z.string().min(1).max(MAX_REQUEST_ID);

/** `cancel {requestId}` or `cancel {streamId}` (at least one). */
export const resumeCancelSchema = z
  .object({ requestId: id.optional(), streamId: id.optional() })
  .refine((payload) => payload.requestId !== undefined || payload.streamId !== undefined, {
    message: "requestId or streamId is required",
  });

/** `resume {streamId, offset, epoch?}`: `offset` is the last one the client has (0: none). */
export const resumeSchema = z.object({
  streamId: id,
  offset: z.number().int().min(0),
  epoch: id.optional(),
});
