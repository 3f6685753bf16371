import { Field, Float, Int, ObjectType } from "type-graphql";
import { DateScalar } from "../scalars.js";
import { DateRange } from "./date-range.type.js";
import { Money } from "./money.type.js";

@ObjectType({ description: "One future day of a forecast." })
export class ForecastPoint {
  @Field(() => DateScalar, { description: "The day." })
  date!: string;

  @Field(() => Money, { description: "The expected cost of the day." })
  expected!: Money;

  @Field(() => Money, { description: "The low end of the day's interval at the forecast's confidence." })
  lower!: Money;

  @Field(() => Money, { description: "The high end of the day's interval at the forecast's confidence." })
  upper!: Money;
}

@ObjectType({
  description:
    "How accurate this series' forecasts have been, from rolling-origin backtests on its own history.",
})
export class ForecastAccuracy {
  @Field(() => String, { description: "The model serving this series (the baseline when no model beat it)." })
  method!: string;

  @Field(() => String, { description: "The baseline every model must beat, e.g. seasonal-naive-7." })
  baseline!: string;

  @Field(() => Float, {
    nullable: true,
    description: "Mean absolute percentage error of the backtests, in percent; null without enough history.",
  })
  mape!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Mean absolute scaled error against the seasonal-naive baseline (below 1 beats it); null without enough history.",
  })
  mase!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Mean signed error as a share of actual: positive means forecasts ran high; null without enough history.",
  })
  bias!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Share of backtested actuals inside the interval, at the confidence asked; null without enough history.",
  })
  intervalCoverage!: number | null;

  @Field(() => Int, { description: "How many rolling-origin backtest windows the figures rest on." })
  backtestWindows!: number;
}

@ObjectType({ description: "Where a period's cost will end: spend so far plus a forecast of the days left." })
export class CostForecast {
  @Field(() => DateRange, { description: "The period forecast." })
  period!: DateRange;

  @Field(() => Float, { description: "The interval's confidence, e.g. 0.8." })
  confidence!: number;

  @Field(() => Money, { description: "Already spent inside the period (the days stored)." })
  actual!: Money;

  @Field(() => Money, {
    description: "The expected total of the period: actual plus the forecast of the days left.",
  })
  expected!: Money;

  @Field(() => Money, { description: "The low end of the period total's interval." })
  lower!: Money;

  @Field(() => Money, { description: "The high end of the period total's interval." })
  upper!: Money;

  @Field(() => [ForecastPoint], { description: "The days left, one point each." })
  points!: ForecastPoint[];

  @Field(() => ForecastAccuracy, { description: "The measured accuracy of this series' forecasts." })
  accuracy!: ForecastAccuracy;

  @Field(() => DateScalar, { description: "The last day with stored data the forecast starts from." })
  basedOnDataUntil!: string;
}
