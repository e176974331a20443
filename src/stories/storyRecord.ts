import { z } from 'zod';
import { HttpLink } from '../drafts/httpUrl.ts';

/** One member of a story as the desk lists it: metadata only (headline, source, link, time). */
export const StoryMember = z.object({
  draftId: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
  headline: z.string(),
  link: HttpLink,
  /** When the pipeline found it (ISO 8601). */
  addedAt: z.iso.datetime(),
  publishedAt: z.iso.datetime().nullable(),
  /** How it joined: "same link", "similar: 0.62 (terms, entities Nvidia, AMD)", "moved by ana", "started the story". */
  why: z.string().max(300),
});
export type StoryMember = z.infer<typeof StoryMember>;

/** A story (`{sd}:story:<id>`): the drafts of one event across publishers. The desk reads it; the story stage and editors' split/move write it. */
export const StoryRecord = z.object({
  id: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  members: z.array(StoryMember).max(500),
});
export type StoryRecord = z.infer<typeof StoryRecord>;
