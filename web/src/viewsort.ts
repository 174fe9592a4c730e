// The orders a ticket list can be sorted in, as the list's menu and the
// saved-view editor name them. Keyed by the API's enum, so a new order the
// API gains fails the type check until it is named here.
import type { Schemas } from "./api/client";

export type SortBy = NonNullable<Schemas["ViewSort"]["by"]>;

export const sortLabels: Record<SortBy, string> = {
  created: "Created",
  updated: "Updated",
  last_customer_message: "Last customer message",
  priority: "Priority",
  due: "Due date",
};
