"""Rules that only property-management procedures use (the Civil Code art. 278 vote,
for one), declared beside the procedures that apply them. The engine keeps what any
statute's procedures would need (periods, the calendar, checklists)."""
