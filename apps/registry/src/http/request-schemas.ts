import { z } from 'zod';

import { isEntryName, isServiceName } from '../storage/names.util';

export const serviceNameSchema = z
  .string()
  .refine(
    isServiceName,
    'must be 1-63 lowercase letters, digits or hyphens, starting with a letter',
  );

export const entryNameSchema = z
  .string()
  .refine(isEntryName, 'must be a letter followed by up to 127 letters, digits, "_", "." or "-"');

/** An absolute https URL without credentials, query or fragment. */
export const instanceUrlSchema = z
  .url({ protocol: /^https$/, error: 'must be an https URL' })
  .refine((text) => {
    const url = new URL(text);

    return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  }, 'must not contain credentials, a query or a fragment');
