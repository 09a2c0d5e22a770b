/*
 * Successor requests (packages/functions/src/requests/successors.ts): a block whose policy says openSuccessorRequest
 * and for which EC2 offers no extension gets one capacity request for a successor block, created conditionally under
 * the id core's planSuccessor() names. Two overlapping runs, and a person who deletes the block and registers it
 * again (same reservation, same end). Whether the id changes with the registration is read from core
 * (SUCC_KEY_BY_REG in the generated tables); a variant forces it on.
 *
 * Property: at most one successor request per reservation and window, whatever the registration.
 */
#include "generated/tables.pml"

#ifdef BUG_SUCCESSOR_PER_REGISTRATION
#define KEYED_BY_REG 1
#else
#define KEYED_BY_REG SUCC_KEY_BY_REG
#endif

bool bExists = 1;
byte bReg = 1;
bool created[3];        /* request ids: 0 for (reservation, window), 1 + registration when keyed by registration */
byte successors;        /* ghost: successor requests for this reservation and window */

proctype Run() {
  byte id;
end:
  do
  :: atomic { bExists ->
       id = (KEYED_BY_REG -> bReg : 0);
       if
       :: !created[id] ->
          created[id] = 1; successors++;
          printf("STEP run %d: opens successor request %d for registration %d\n", _pid, id, bReg);
          assert(successors <= 1)
       :: else -> printf("STEP run %d: successor request %d exists already\n", _pid, id)
       fi;
       id = 0 }
  od
}

proctype Api() {
end:
  do
  :: atomic { bExists -> bExists = 0; printf("STEP API: deletes the block (registration %d)\n", bReg) }
  :: atomic { !bExists && bReg < 2 -> bReg++; bExists = 1; printf("STEP API: registers the block again (registration %d)\n", bReg) }
  od
}

init {
  atomic { run Run(); run Run(); run Api() }
}
