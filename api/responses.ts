import type { z } from 'zod';
import { ErrorBody } from './errors.ts';

/** OpenAPI response declarations, written once for every router. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const errorResponse = (description: string) => json(ErrorBody, description);

export const commonErrors = {
  401: errorResponse('No or invalid bearer token'),
  422: errorResponse('Invalid input; `details` names each failing path'),
} as const;
