/* Fault counters for the in-memory adapters: let `skip` calls pass, fail the
 * next `times` (or all, with -1), then heal. */
#include "fault_internal.h"

void ord_fault_slot_arm(ord_fault_slot *slot, const ord_fault *fault)
{
    ord_fault none = {0};
    slot->fault = fault != NULL ? *fault : none;
    if (slot->fault.mode != ORD_FAULT_NONE && slot->fault.error == ORD_OK)
        slot->fault.error = ORD_EUNAVAILABLE;
    slot->skipped = 0;
    slot->failed = 0;
}

ord_fault_mode ord_fault_slot_next(ord_fault_slot *slot, ord_error *error)
{
    slot->calls++;
    const ord_fault *f = &slot->fault;
    if (f->mode != ORD_FAULT_BEFORE && f->mode != ORD_FAULT_AFTER)
        return ORD_FAULT_NONE;
    if (slot->skipped < f->skip) {
        slot->skipped++;
        return ORD_FAULT_NONE;
    }
    if (f->times >= 0 && slot->failed >= f->times)
        return ORD_FAULT_NONE;
    if (f->times >= 0)
        slot->failed++;
    *error = f->error;
    return f->mode;
}
