"""The loyalty rules the API (`backend/`) and the app (`epoint_ui/`) must agree on.

Pure Python (no boto3, no HTTP, no Reflex) and integers only: money in cents, points,
multipliers in percent. The API's request models and domain, and the app's forms and
previews, import these modules; neither side keeps a copy of a rule or a limit.

- `bounds`: the limits of every input (points per unit, minimum purchase, tier thresholds
  and multipliers, number of tiers, stamps for a full card, a promotion's multiplier and
  bonus, amounts, points, name lengths).
- `earning`: the earning formula, the default earning rule, and what a purchase earns
  (`for_purchase`: the rule and tier, the best promotion, a stamp).
- `promotions`: when a promotion runs on the business's clock, which one applies, what it adds.
- `stamps`: stamp cards: a stamp per purchase, full cards, the card as drawn.
- `tiers`: the default tiers, the tier for a lifetime figure, progress to the next, what
  makes a list of tiers valid, and a tier-only reward's lock.
- `catalog`: the business categories, the currencies and the time zones.
- `money`: an amount a person typed as cents, and cents as text.
- `forms`: what a person typed, checked against all of the above: the value to send, or
  the sentence to show.
"""
