/** Predicates over database errors, so that callers never match message text. */
import { Prisma } from '@/lib/generated/prisma/client';

/** A unique constraint said no: another writer got there first. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/** The row to update or delete was not there. */
export function isRecordNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';
}
