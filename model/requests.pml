/*
 * The capacity-request purchase protocol (packages/functions/src/requests), checked exhaustively by spin.
 *
 * One request, two overlapping worker runs, a person (approve the quote, cancel), EC2 (a block offering whose price
 * changes; purchases that commit, are refused, are answered, or commit late within the call timeout plus margin)
 * and the clock. Whether to buy, ask or wait is core's authorizePurchase()/chooseOffering(), from the generated
 * table. The settle rule (the purchase's tag, once the call can no longer land) is the worker's (settle.ts): the
 * lifecycle is moving into core, and model/request-adapter.ts is where its table will come from then.
 */
#include "generated/tables.pml"

#define C_FREE 0
#define C_WRITTEN 1
#define C_SENT 2
#define C_FLIGHT 3
#define C_OVER 4
#define FRESH 0
#define LIVE 1
#define DEAD 2

#define SEARCHING 0
#define FULFILLED 1
#define CANCELLED 2

#ifndef FAULTS
#define FAULTS 3        /* refusals, unanswered calls and worker crashes mid-purchase, in one run */
#endif

/* EC2 */
byte price = 1;                 /* the one offering's fee: 1 within the request's maxUpfrontFee, 2 above */
byte blocks = 0;                /* ghost: blocks EC2 sold tagged with this request */
bool tagged[2];                 /* a block carries the tag of the intent in slot s */
byte call[2]; byte callFee[2]; byte callAge[2];
byte faults;

/* The request record */
byte rVer = 1;
byte rStatus = SEARCHING;
bool rReqAppr = 1;
byte rCap = 2;                  /* limits.maxUpfrontFee */
bool iOn; byte iSlot; byte iFee; byte iAuth;
bool aOn; byte aCap; byte aSeen;        /* approval; aSeen (ghost): the fee the person was shown */
bool qOn; byte qFee;            /* the quote last shown for approval */

#ifdef BUG_SHORT_SETTLE
#define SEEN_DEAD(s) (callAge[s] >= LIVE)  /* local mode's worker settled after 30 s of wall time */
#else
#define SEEN_DEAD(s) (callAge[s] == DEAD)
#endif
#define CAN_LAND(s) (call[s] == C_WRITTEN || call[s] == C_SENT || (call[s] == C_FLIGHT && callAge[s] < DEAD))

inline commit(s, ok) {
  if
  :: callFee[s] == price ->
     /* Nothing is bought for a cancelled request, and at most one block per request. */
     assert(rStatus != CANCELLED);
     blocks++; assert(blocks <= 1);
     tagged[s] = 1; ok = 1;
     printf("STEP EC2: sells a block at fee %d, tagged with intent %d\n", callFee[s], s)
  :: else -> ok = 0; printf("STEP EC2: refuses the purchase (the offering is gone)\n")
  fi;
  call[s] = C_OVER
}

inline clearIntent() {
  if :: call[iSlot] == C_OVER -> call[iSlot] = C_FREE; callAge[iSlot] = FRESH; callFee[iSlot] = 0; tagged[iSlot] = 0 :: else fi;
  iOn = 0; iSlot = 0; iFee = 0; iAuth = 0; rVer++
}

inline recordBought() {
  rStatus = FULFILLED; aOn = 0; aCap = 0; aSeen = 0; qOn = 0; qFee = 0; clearIntent()
}

inline settleNotBought() {
  /* No intent is settled "not bought" while its call can still land. */
  assert(!CAN_LAND(iSlot));
  clearIntent()
}

proctype Worker() {
  byte ver, fee, d, s;
  bool ok;
end:
  do
  :: atomic { iOn ->
       if
       :: tagged[iSlot] -> printf("STEP worker %d: finds the block tagged with the intent; bought\n", _pid); recordBought()
       :: !tagged[iSlot] && SEEN_DEAD(iSlot) -> printf("STEP worker %d: settles the intent as not bought\n", _pid); settleNotBought()
       :: else
       fi }
  :: atomic { !iOn && rStatus == SEARCHING ->
       d = REQUEST_AUTH(REQUEST_ROW((price <= rCap), rReqAppr, aOn, (price <= aCap)));
       if
       :: d == R_ASK && qOn && qFee == price -> d = 0   /* the same terms were shown already (sameRequestTerms) */
       :: d == R_ASK && !(qOn && qFee == price) -> qOn = 1; qFee = price; rVer++; d = 0; printf("STEP worker %d: asks for approval of fee %d\n", _pid, price)
       :: d == R_BUY_POLICY || d == R_BUY_APPROVAL -> ver = rVer; fee = price; printf("STEP worker %d: decides to buy at fee %d\n", _pid, fee)
       :: else -> d = 0
       fi };
     if
     :: d == R_BUY_POLICY || d == R_BUY_APPROVAL ->
        atomic {
          if
          :: rVer == ver ->
             s = _pid - 1; assert(call[s] == C_FREE);
             printf("STEP worker %d: writes the intent to buy at fee %d\n", _pid, fee);
             /* Every purchase is covered by exactly one authorization whose terms cover it. */
             if
             :: d == R_BUY_POLICY -> assert(!rReqAppr && fee <= rCap)
             :: else -> assert(aOn && fee <= aSeen)
             fi;
             iOn = 1; iSlot = s; iFee = fee; iAuth = d; rVer++;
             call[s] = C_WRITTEN; callFee[s] = fee; callAge[s] = FRESH
          :: else -> printf("STEP worker %d: loses the intent write\n", _pid); goto next
          fi };
        if
        :: atomic { faults < FAULTS -> faults++; call[s] = C_OVER; printf("STEP worker %d: dies before the call\n", _pid) }; goto next
        :: atomic { call[s] = C_SENT; printf("STEP worker %d: calls PurchaseCapacityBlock tagged with its intent\n", _pid) }
        fi;
        if
        :: atomic { commit(s, ok) }
        :: atomic { faults < FAULTS -> faults++; call[s] = C_OVER; ok = 0; printf("STEP EC2: refuses the purchase\n") }
        :: atomic { faults < FAULTS -> faults++; call[s] = C_FLIGHT; printf("STEP worker %d: no answer it can trust\n", _pid) }; goto next
        fi;
        if
        :: atomic { !ok && iOn && iSlot == s -> settleNotBought() }
        :: atomic { ok && iOn && iSlot == s -> printf("STEP worker %d: records the block\n", _pid); recordBought() }
        :: atomic { faults < FAULTS -> faults++; printf("STEP worker %d: dies before recording\n", _pid) }
        :: atomic { !(iOn && iSlot == s) -> skip }
        fi
     :: else
     fi;
next:
     d = 0; ver = 0; fee = 0; s = 0; ok = 0
  od
}

proctype World() {
  bool priceMoved, acted;
end:
  do
  :: atomic { !priceMoved -> priceMoved = 1; price = 3 - price; printf("STEP EC2: the offering's price is now %d\n", price) }
  :: atomic { call[0] == C_FLIGHT && callAge[0] < DEAD -> printf("STEP EC2: a call no worker waits for ends\n"); commit(0, acted); acted = 0 }
  :: atomic { call[1] == C_FLIGHT && callAge[1] < DEAD -> printf("STEP EC2: a call no worker waits for ends\n"); commit(1, acted); acted = 0 }
  /* PATCH /requests/{id}: approve the quote shown; refused while a purchase is in flight or done. */
  :: atomic { qOn && !iOn && rStatus == SEARCHING && !(aOn && aCap == qFee) -> aOn = 1; aCap = qFee; aSeen = qFee; rVer++; printf("STEP API: approves fee %d\n", qFee) }
  /* DELETE /requests/{id}: refused while a purchase is in flight. */
  :: atomic { !iOn && rStatus == SEARCHING -> rStatus = CANCELLED; rVer++; printf("STEP API: cancels the request\n") }
  :: atomic { call[0] != C_FREE && callAge[0] < DEAD && (call[0] != C_WRITTEN && call[0] != C_SENT || callAge[0] < LIVE) -> callAge[0]++;
              if :: callAge[0] == DEAD && call[0] == C_FLIGHT -> call[0] = C_OVER :: else fi; printf("STEP clock: call 0 is now %d\n", callAge[0]) }
  :: atomic { call[1] != C_FREE && callAge[1] < DEAD && (call[1] != C_WRITTEN && call[1] != C_SENT || callAge[1] < LIVE) -> callAge[1]++;
              if :: callAge[1] == DEAD && call[1] == C_FLIGHT -> call[1] = C_OVER :: else fi; printf("STEP clock: call 1 is now %d\n", callAge[1]) }
  od
}

init {
  atomic { run Worker(); run Worker(); run World() }
}
