/** Names for the collection shapes (analysis_engine/collections), from the engine's OpenAPI document. */
import type { components } from "../../api/generated/engine";

type Engine = components["schemas"];

/** A smart collection's rules; a sample must meet every one given (rules.py `SmartRules`). */
export type SmartRules = Engine["SmartRules"];

export type Collection = Engine["Collection"];

export type CollectionList = Engine["CollectionPage"];

/** A sample as a collection lists it. */
export type Member = Engine["Member"];

export type CollectionDetail = Engine["CollectionDetail"];

/** POST /api/collections/preview: a page of what the rules select now, with the total. */
export type RulesPreviewAnswer = Engine["RulesPreviewPage"];

export type AddedSamples = Engine["SamplesAdded"];

export type Reanalysis = Engine["CollectionReanalysis"];

/** Collections nest at most this deep (errors.py `MAX_DEPTH`). */
export const MAX_DEPTH = 8;
