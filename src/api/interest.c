/* Validation of interest words and readiness masks, shared by every backend. */
#include "interest.h"

bool interest_is_valid(uint32_t interests) {
  if ((interests & ~(INTEREST_BITS | INTEREST_MODES)) != 0) return false;
  if ((interests & INTEREST_BITS) == 0) return false;
  return (interests & INTEREST_MODES) != INTEREST_MODES;
}

bool readiness_is_valid(uint32_t readiness) {
  return readiness != 0 && (readiness & ~READINESS_BITS) == 0;
}
