/*
 * The extension purchase protocol of CBM, checked exhaustively by spin (docs/model.md).
 *
 * One managed block (two registrations of one reservation), two extension windows, two overlapping scheduler ticks,
 * the API and link answers, EC2 and the clock. Every decision is looked up in tables generated from core's own
 * transitions (generated/tables.pml); this file holds only what core leaves to the tick and the adapters (reads,
 * conditional writes, the call, crashes) and what the world may do. Each property is an assert at the step where it
 * could first be broken; the README's wording is beside each.
 *
 * Variants (-D flags) put back one historical defect each; the model test expects spin to reject every one of them.
 */
#include "generated/tables.pml"

#define NONE 9          /* no window */
#define NW 2            /* windows 0 and 1 can be extended; an end at window 2 is past the model's horizon */
#define MAXREG 2        /* registrations of the one reservation */
#define NSLOT 2         /* purchase calls: one slot per tick */

/* EC2's history record per window */
#define H_NONE 0
#define H_PENDING 1
#define H_FAILED 2
#define H_OK 3

/* A purchase call: intent written, then sent; EC2 may commit a sent call until it is DEAD. */
#define C_FREE 0
#define C_WRITTEN 1     /* intent stored, call not sent yet (a live writer sends it within the margin) */
#define C_SENT 2        /* sent, the tick waits for the answer (within the call's timeout) */
#define C_FLIGHT 3      /* sent, no answer the tick trusts (timeout, 5xx, lost, or it died); EC2 may still commit it */
#define C_OVER 4        /* answered, refused, or can no longer land */
#define FRESH 0         /* younger than the settle grace */
#define LIVE 1          /* older than the grace, still within the call timeout plus margin */
#define DEAD 2          /* the call can no longer take effect */

#define A_POLICY 1
#define A_APPROVAL 2
#define A_AUTO 3

/* ---- EC2: the reservation, its history, its offering and calls in flight ---- */
byte endW = 0;                  /* the reservation's EndDate, as a window index */
byte price = 1;                 /* fee of the offering EC2 shows now: 1 within the policy cap, 2 above */
byte hist[NW];                  /* what EC2 recorded for the extension bought in each window */
byte histFee[NW];
bool hVis[NW];                  /* the record shows in DescribeCapacityBlockExtensionHistory (it lags a purchase) */
byte commits[NW];               /* ghost: purchases EC2 committed per window */
byte ec2Spent = 0;              /* ghost: money EC2 holds for this reservation (failed payments refunded) */
byte spendBase = 0;             /* ghost: ec2Spent at the last explicit reset of spend */
byte call[NSLOT]; byte callW[NSLOT]; byte callFee[NSLOT]; byte callReg[NSLOT]; byte callAge[NSLOT];

/* ---- the block record (DynamoDB item) ---- */
bool bExists = 1;
byte bReg = 1;                  /* registrationId */
byte bVer = 1;                  /* version: every write is conditional on the version and registration read */
bool bEnabled = 1;
bool bReqAppr = 0;
byte bCap = 2;                  /* maxUpfrontFee */
byte bBudget = 3;
byte bSpent = 0;
byte bEnd = 0;                  /* stored endDate */
byte bLastBought = NONE;        /* lastPurchaseWindow */
byte bPendW = NONE; byte bPendFee;  /* pendingExtension */
bool iOn; byte iW; byte iFee; byte iAuth; byte iAuthReg; byte iSlot;   /* the purchase intent */
bool aOn; byte aW; byte aReg; byte aCap; byte aSeen;  /* the approval; aSeen (ghost): the fee the person was shown */
byte dW = NONE;                 /* denial's window */
byte qW = NONE; byte qFee;      /* the last approval notice: its window and quoted fee */
bool lOn; byte lW; byte lFee; byte lReg;   /* the link in the last notice, unanswered: its claims */

/* ---- the reservation ledger (spend across registrations) ---- */
byte lSpent = 0; byte lLastBought = NONE; byte lPendW = NONE; byte lPendFee;

#include "world.pml"
#include "tick.pml"

init {
  atomic {
    run Tick(); run Tick();
    run Api(); run Ec2(); run Clock()
  }
}
