export type Confidence = "HIGH" | "MEDIUM" | "LOW";

/** Each dimension is 0..1; score is their weighted mean; issues say, in words, what lowered them. */
export interface DataQuality {
  completeness: number;
  accuracy: number;
  timeliness: number;
  consistency: number;
  score: number;
  confidence: Confidence;
  issues: string[];
}
