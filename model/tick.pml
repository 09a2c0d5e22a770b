/*
 * The scheduler tick (packages/functions/src/tick): reconcile, settle, decide, and the purchase protocol
 * (tick/purchase.ts). Two of these run at once, as two overlapping Lambda invocations can. A tick may die at any
 * point: `goto next` abandons its local state, as a crashed process does, and the next run starts from the record.
 */

/* Every write is conditional on the version and registration read (a defect variant checks the version only). */
#ifdef BUG_VERSION_REUSE
#define SAME_RECORD(ver, reg) (bExists && bVer == ver)
#else
#define SAME_RECORD(ver, reg) (bExists && bVer == ver && bReg == reg)
#endif

/* The age a settling tick believes the call has. A settle wait shorter than the call (a defect) sees it one step older. */
#ifdef BUG_SHORT_SETTLE
#define SEEN_AGE(s) (callAge[s] == FRESH -> FRESH : DEAD)
#else
#define SEEN_AGE(s) (callAge[s])
#endif

/* The call may still take effect: written and about to be sent, or sent and not yet past its timeout plus margin. */
#define CAN_LAND(s) ((call[s] == C_WRITTEN || call[s] == C_SENT || (call[s] == C_FLIGHT && callAge[s] < DEAD)) && callW[s] == endW)

#define NEEDS_RECONCILE (bEnd != endW || (bPendW != NONE && hist[bPendW] != H_PENDING) || \
  (aOn && aW < endW) || (dW != NONE && dW < endW) || (qW != NONE && qW != endW))

/* The stored end date moves only to EC2's end, and only once EC2 reports the extension's payment succeeded. */
inline moveEnd(to) {
  assert(to == bEnd || hist[bEnd] == H_OK);
  bEnd = to
}

/* core's reconcile(): EC2's end, the pending extension's payment, and verdicts of windows that are gone. */
inline reconcile() {
  moveEnd(endW);
  if
  :: bPendW != NONE && hist[bPendW] == H_OK -> bPendW = NONE; bPendFee = 0
  :: bPendW != NONE && hist[bPendW] == H_FAILED -> bSpent = bSpent - bPendFee; bPendW = NONE; bPendFee = 0
  :: else
  fi;
  if :: aOn && aW < endW -> aOn = 0; aW = 0; aReg = 0; aCap = 0; aSeen = 0 :: else fi;
  if :: dW != NONE && dW < endW -> dW = NONE :: else fi;
  if :: qW != NONE && qW != endW -> qW = NONE; qFee = 0 :: else fi;
  bVer++
}

/* core's recordPurchased(): the window is bought, the fee is spent, the approval consumed; the end stays. */
inline recordPurchased() {
  bPendW = iW; bPendFee = iFee; bLastBought = iW; bSpent = bSpent + iFee;
  aOn = 0; aW = 0; aReg = 0; aCap = 0; aSeen = 0; qW = NONE; qFee = 0;
#ifdef BUG_END_ON_PURCHASE
  moveEnd(iW + 1);
#endif
  clearIntent();
  bVer++
}

/* Cleared fields are zeroed so that equal situations are one state to spin. */
inline freeSlot(s) {
  if :: call[s] == C_OVER -> call[s] = C_FREE; callAge[s] = FRESH; callW[s] = 0; callFee[s] = 0; callReg[s] = 0 :: else fi
}

inline clearIntent() {
  freeSlot(iSlot); iOn = 0; iW = 0; iFee = 0; iAuth = 0; iAuthReg = 0; iSlot = 0
}

inline settleNotBought() {
  /* No intent is settled "not bought" while its call can still land. */
  assert(!CAN_LAND(iSlot));
  clearIntent(); bVer++
}

/* Every purchase is covered by exactly one authorization (the intent names one) whose terms cover it. */
inline assertCovered(kind, w, fee, reg) {
  /* One assert per term, so a counterexample names the term that failed. */
  assert(reg == bReg);
  assert(w == bEnd && w == endW);
  if
  :: kind == D_BUY_POLICY -> assert(!bReqAppr); assert(fee <= bCap)
  :: kind == D_BUY_APPROVAL -> assert(aOn && aReg == bReg && aW == w); assert(fee <= aSeen)
  :: else -> assert(false) /* automatic approval: the model's approver is reachable */
  fi;
  /* No budget exceeded across re-registration: what EC2 holds since the last reset, plus this fee. */
  assert(ec2Spent - spendBase + fee <= bBudget)
}

#define APPROVAL_ROW (aOn && aW == endW -> 1 + 2 * (aReg != bReg) + (price > aCap) : 0)
/* What the tick reads from EC2's history: only records it shows already. */
#define HIST_ROW (!hVis[endW] -> 0 : (hist[endW] == H_PENDING -> 1 : (hist[endW] == H_FAILED -> 2 : 0)))

proctype Tick() {
  byte rVer, rReg, w, fee, d, s;
  bool answered;
end:
  do
  :: atomic { bExists && NEEDS_RECONCILE -> reconcile(); printf("STEP tick %d: reconciles with EC2 (end window %d)\n", _pid, bEnd) }
  :: atomic {
       bExists && iOn && !NEEDS_RECONCILE ->
       d = SETTLE(SETTLE_ROW((hVis[iW] && histFee[iW] == iFee), (endW > iW), SEEN_AGE(iSlot)));
       if
       :: d == S_BOUGHT -> printf("STEP tick %d: settles the intent as bought (EC2's history has it)\n", _pid); recordPurchased()
       :: d == S_NOT_BOUGHT ->
          printf("STEP tick %d: settles the intent as not bought\n", _pid);
          settleNotBought()
       :: else
       fi;
       d = 0
     }
  :: atomic {
       bExists && !iOn && endW < NW && !NEEDS_RECONCILE ->
       d = HIST_ROW; s = APPROVAL_ROW;
       d = DECIDE(BLOCK_ROW(d, (bLastBought == endW), bEnabled, (dW == endW), (price <= bCap), (bSpent + price <= bBudget), bReqAppr, s, (qW == endW)));
       s = 0;
       if
       /* A notice changes no money: asking is written with the decision (a lost race only delays the notice). */
       :: d == D_ASK || d == D_ASK_VOID ->
          printf("STEP tick %d: asks for approval of fee %d in window %d\n", _pid, price, endW);
          qW = endW; qFee = price; bVer++;
          lOn = 1; lW = endW; lFee = price; lReg = bReg;
          if :: d == D_ASK_VOID -> aOn = 0; aW = 0; aReg = 0; aCap = 0; aSeen = 0 :: else fi;
          d = 0
       :: d >= D_BUY_POLICY -> rVer = bVer; rReg = bReg; w = endW; fee = price;
          printf("STEP tick %d: decides to buy window %d at fee %d (read version %d of registration %d)\n", _pid, w, fee, rVer, rReg)
       :: else -> d = 0
       fi
     };
     if :: d >= D_BUY_POLICY -> goto buy :: else fi;
     goto next
  od;

buy:
  /* Step 2 of the protocol: the intent, which only one writer can win (a crash before it buys nothing). */
  atomic {
    if
    :: SAME_RECORD(rVer, rReg) ->
       /* Each tick has its own call slot, so (slot, stored intent) names the tick's intent like the intent's id. */
       s = _pid - 1;
       if
       :: d == D_BUY_POLICY -> printf("STEP tick %d: writes the intent to buy window %d at fee %d under the policy\n", _pid, w, fee)
       :: else -> printf("STEP tick %d: writes the intent to buy window %d at fee %d under the approval\n", _pid, w, fee)
       fi;
       assert(call[s] == C_FREE);
       assertCovered(d, w, fee, rReg);
       iOn = 1; iW = w; iFee = fee; iAuth = d; iAuthReg = rReg; iSlot = s; bVer++;
       call[s] = C_WRITTEN; callW[s] = w; callFee[s] = fee; callReg[s] = rReg; callAge[s] = FRESH
    :: else -> printf("STEP tick %d: loses the intent write (the record changed)\n", _pid); goto next
    fi
  };
  /* Step 3: one call, SDK retries off. The process may die before sending it. */
  if
  :: atomic { faults < FAULTS -> faults++; call[s] = C_OVER; printf("STEP tick %d: dies before the call is sent\n", _pid) }; goto next
  :: atomic { call[s] = C_SENT; printf("STEP tick %d: calls PurchaseCapacityBlockExtension\n", _pid) }
  fi;
answer:
  if
  :: atomic { commit(s, answered) }
  :: atomic { faults < FAULTS -> faults++; call[s] = C_OVER; answered = 0; printf("STEP EC2: refuses the purchase (no capacity)\n") }
  :: atomic { faults < FAULTS -> faults++; call[s] = C_FLIGHT; printf("STEP tick %d: no answer it can trust (timeout, 5xx, or it died)\n", _pid) };
#ifdef BUG_BLIND_REBUY
     /* The first release: a failed call meant "not bought", and the next tick bought again. */
     atomic { if :: iOn && iSlot == s -> settleNotBought() :: else fi };
#endif
     goto next
#ifdef BUG_SDK_RETRY
  /* SDK retries on: EC2 commits, the answer is lost, and the SDK sends the same purchase again. */
  :: atomic { faults < FAULTS -> faults++; commit(s, answered); call[s] = C_SENT; printf("STEP SDK: the answer was lost; retries the call\n") };
     goto answer
#endif
  fi;
  if
  :: !answered ->
     /* Step 4, refused: nothing was bought, the intent goes. */
     atomic { if :: iOn && iSlot == s -> settleNotBought() :: else fi };
     goto next
  :: else
  fi;
  /* Step 4, answered: record EC2's answer on the intent we own; or die first and let a later tick settle it. */
  if
  :: atomic { answered && iOn && iSlot == s && bExists -> printf("STEP tick %d: records the purchase\n", _pid); recordPurchased() }
  :: atomic { faults < FAULTS -> faults++; printf("STEP tick %d: dies before recording EC2's answer\n", _pid) }
  :: atomic { !(iOn && iSlot == s) -> printf("STEP tick %d: finds the intent settled by another tick\n", _pid) }
  fi;
next:
  d = 0; s = 0; rVer = 0; rReg = 0; w = 0; fee = 0; answered = 0;
  goto end
}
