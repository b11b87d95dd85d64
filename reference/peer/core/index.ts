/**
 * The reference peer's pure logic, for the simulator and any other host.
 * Nothing here touches a socket, a real clock or a real timer: inject a
 * Clock and Timers (reference/shared/), a Dialer and a RelayPort (ports.ts).
 *
 *   orderAddresses     which addresses to announce, local first
 *   startTryOrder      dial announced addresses (sequential | race), verify identity
 *   PeerLifecycle      register → ready → heartbeat, re-ready on 404 / address change
 *   FriendsMonitor     cached socket → relay lookup → try-order, every health interval
 */
export * from './ports.ts';
export * from './address-order.ts';
export * from './try-order.ts';
export * from './peer-lifecycle.ts';
export * from './friends-monitor.ts';
export * from './lookup-reply.ts';
export * from '../../shared/duration.ts';
