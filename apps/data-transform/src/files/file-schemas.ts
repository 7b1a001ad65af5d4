import { z } from 'zod';

/** Query of `POST /api/transform/files`. */
export const uploadQuerySchema = z.strictObject({
  name: z
    .string({ error: 'expected the file name, such as ?name=weather.csv' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(255, { error: 'must have at most 255 characters' })
    // eslint-disable-next-line no-control-regex -- control characters are what it rejects.
    .regex(/^[^\u0000-\u001f\u007f]*$/u, { error: 'must not contain control characters' }),
});

/** Body of a 201 from `POST /api/transform/files`. */
export const uploadResultSchema = z.object({
  fileId: z.string().describe('`file_` and 32 hex digits.'),
  name: z.string(),
  bytes: z.number().int(),
  sha256: z.string().describe('Lower-case hex SHA-256 of the bytes.'),
});

export type UploadResult = z.output<typeof uploadResultSchema>;

/** Body of a 200 from `GET /api/transform/files/{fileId}`: the metadata stored at upload. */
export const storedFileSchema = uploadResultSchema.extend({
  contentType: z.string().nullable().describe('Content-Type of the upload request.'),
  uploadedBy: z.string().describe('User id of the uploader.'),
  uploadedAt: z.string().describe('ISO 8601 UTC timestamp.'),
});
