/* The tick wing: the scheduler (claim, decide, carry out, the purchase protocol) and its Lambda handler. */
export { createTick, type CreateTickOptions, type Tick, type TickReport, type TickSettings } from "./create-tick";
export { createTickHandler, type TickHandlerDeps } from "./create-tick-handler";
