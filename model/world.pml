/*
 * What the world may do to the block at any moment: people through the API (and link answers, which approve the
 * quoted terms through the same use case), EC2, and the clock. Each action is one use case: a read and a
 * conditional write, so a failed condition is a no-op (the API answered 409) and the action is atomic here.
 */

#ifndef API_STEPS
#define API_STEPS 2     /* API actions in one run of the model, in any order, at any time */
#endif
#ifndef FAULTS
#define FAULTS 2        /* refusals, unanswered calls and crashes of a tick mid-purchase, in one run */
#endif
#ifndef PRICE_MOVES
#define PRICE_MOVES 1   /* changes of the offering's price */
#endif

byte faults;

/*
 * EC2 commits a purchase call (answered or late, up to the call's timeout plus margin) or refuses it: the offering
 * exists only for the current end date and at the current price. EC2 is not trusted to refuse a second purchase in a
 * window (one pending payment at a time is its rule, not something CBM may lean on).
 */
inline commit(s, ok) {
  if
  :: callW[s] == endW && callFee[s] == price ->
     /* Nothing is bought for a deleted registration. */
     assert(bExists && bReg == callReg[s]);
     commits[callW[s]]++;
     /* At most one purchase per window. */
     assert(commits[callW[s]] <= 1);
     hist[callW[s]] = H_PENDING; histFee[callW[s]] = callFee[s]; ec2Spent = ec2Spent + callFee[s];
     printf("STEP EC2: commits the purchase for window %d at fee %d\n", callW[s], callFee[s]);
     ok = 1
  :: else -> printf("STEP EC2: refuses the purchase (the offering is gone)\n"); ok = 0
  fi;
  call[s] = C_OVER
}

/* core's verdictWindow(): the current end, or the next one when this window's extension is bought. */
#define VERDICT_WINDOW ((bPendW == bEnd || bLastBought == bEnd) -> bEnd + 1 : bEnd)

proctype Api() {
  byte n, vw;
end:
  do
  :: n < API_STEPS -> n++;
     if
     :: atomic { bExists && !(iOn && iW == bEnd) && VERDICT_WINDOW < NW -> vw = VERDICT_WINDOW;
          /* An approval covers the quote shown for its window, or the policy's cap when approved in advance. */
          aSeen = (qW == vw -> qFee : bCap);
#ifdef BUG_APPROVAL_UNBOUND
          aCap = 2;     /* the first release's approval: a flag that covers any fee */
#else
          aCap = aSeen;
#endif
          aOn = 1; aW = vw; aReg = bReg; if :: dW == vw -> dW = NONE :: else fi; bVer++;
          printf("STEP API: approves window %d for at most fee %d\n", vw, aSeen) }
     /* A link answered (POST after the confirmation page): core's linkState() decides whether it records anything. */
     :: atomic { lOn ->
          vw = LINK(LINK_ROW(bExists, (lReg == bReg), (iOn && iW == bEnd), (VERDICT_WINDOW != lW), (qW == lW), (qFee == lFee)));
          if
          :: vw == L_READY ->
             aOn = 1; aW = lW; aReg = bReg; aCap = lFee; aSeen = lFee; if :: dW == lW -> dW = NONE :: else fi; bVer++;
             printf("STEP link: approves window %d for at most fee %d\n", lW, lFee)
          :: else -> printf("STEP link: answered, superseded (changes nothing)\n")
          fi;
          lOn = 0; lW = 0; lFee = 0; lReg = 0 }
     :: atomic { bExists && !(iOn && iW == bEnd) && VERDICT_WINDOW < NW -> vw = VERDICT_WINDOW;
          dW = vw; if :: aOn && aW == vw -> aOn = 0; aW = 0; aReg = 0; aCap = 0; aSeen = 0 :: else fi; bVer++; printf("STEP API: denies window %d\n", vw) }
     :: atomic { bExists -> bCap = 3 - bCap; bVer++; printf("STEP API: policy edit, maxUpfrontFee now %d\n", bCap) }
     :: atomic { bExists -> bReqAppr = !bReqAppr; bVer++; printf("STEP API: policy edit, requireApproval now %d\n", bReqAppr) }
     :: atomic { bExists -> bBudget = 4 - bBudget; bVer++; printf("STEP API: policy edit, budget now %d\n", bBudget) }
     :: atomic { bExists -> bEnabled = !bEnabled; bVer++; printf("STEP API: pause/resume, enabled now %d\n", bEnabled) }
     :: atomic { bExists && !iOn && bPendW == NONE ->
          bSpent = 0; spendBase = ec2Spent; bVer++; printf("STEP API: resets spend\n") }
     :: atomic { bExists && !iOn ->
          /* DELETE hands spend to the reservation's ledger. */
          lSpent = bSpent; lLastBought = bLastBought; lPendW = bPendW; lPendFee = bPendFee;
          bExists = 0; bVer++; printf("STEP API: deletes the block (registration %d)\n", bReg) }
     :: atomic { !bExists && bReg < MAXREG ->
          bReg++; bExists = 1;
#ifdef BUG_VERSION_REUSE
          bVer = 1;     /* a new item starts its version again */
#else
          bVer++;
#endif
          bEnabled = 1; bReqAppr = 0; bCap = 2; bBudget = 3; bEnd = endW;
          aOn = 0; aW = 0; aReg = 0; aCap = 0; aSeen = 0; dW = NONE; qW = NONE; qFee = 0;
#ifdef BUG_LEDGER_RESET
          bSpent = 0; bLastBought = NONE; bPendW = NONE; bPendFee = 0;     /* spend belonged to the registration */
#else
          bSpent = lSpent; bLastBought = lLastBought; bPendW = lPendW; bPendFee = lPendFee;
#endif
          printf("STEP API: registers the block again (registration %d)\n", bReg) }
     :: skip   /* the action is refused (409, 404) or is one the model does not change state with */
     fi;
     vw = 0
  :: n >= API_STEPS -> break
  od
}

proctype Ec2() {
  byte moves;
  bool ok;
end:
  do
  /* A call no answer was trusted for lands late, or EC2 refuses it, while it can still take effect. */
  :: atomic { call[0] == C_FLIGHT && callAge[0] < DEAD -> printf("STEP EC2: a call no tick is waiting for ends\n"); commit(0, ok); ok = 0 }
  :: atomic { call[1] == C_FLIGHT && callAge[1] < DEAD -> printf("STEP EC2: a call no tick is waiting for ends\n"); commit(1, ok); ok = 0 }
  /* EC2 moves EndDate only when the payment succeeds. */
  :: atomic { endW < NW && hist[endW] == H_PENDING && !hVis[endW] -> hVis[endW] = 1; printf("STEP EC2: the purchase shows in the history\n") }
  :: atomic { endW < NW && hist[endW] == H_PENDING && hVis[endW] -> hist[endW] = H_OK; endW++; printf("STEP EC2: payment succeeded; EndDate moves to window %d\n", endW) }
  :: atomic { endW < NW && hist[endW] == H_PENDING && hVis[endW] ->
       hist[endW] = H_FAILED; ec2Spent = ec2Spent - histFee[endW]; printf("STEP EC2: payment failed for window %d\n", endW) }
  :: atomic { moves < PRICE_MOVES -> moves++; price = 3 - price; printf("STEP EC2: the offering's price is now %d\n", price) }
  od
}

/* Wall-clock time of each call: the settle grace, then the call's timeout plus margin. */
inline age(s) {
  if
  /*
   * History lags a purchase by less than the settle margin (core's assumption: callSettledAt is the call's timeout
   * plus that margin), so a committed call can no longer land only once its purchase shows.
   */
  :: (call[s] == C_FLIGHT || (call[s] == C_OVER && iOn && iSlot == s)) && callAge[s] < DEAD &&
     (callAge[s] + 1 < DEAD || hist[callW[s]] == H_NONE || hVis[callW[s]]) -> callAge[s]++
  /* A live tick sends its call within the margin and gets an answer or gives up within the call's timeout. */
  :: (call[s] == C_WRITTEN || call[s] == C_SENT) && callAge[s] < LIVE -> callAge[s]++
  fi;
  if :: callAge[s] == DEAD && call[s] == C_FLIGHT -> call[s] = C_OVER :: else fi;
  printf("STEP clock: call %d is now %d (0 fresh, 1 past the grace, 2 can no longer land)\n", s, callAge[s])
}

proctype Clock() {
end:
  do
  :: atomic { age(0) }
  :: atomic { age(1) }
  od
}
