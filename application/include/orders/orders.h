/**
 * @file orders.h
 * @brief Everything a program needs to use the order service library.
 */
#ifndef ORDERS_ORDERS_H
#define ORDERS_ORDERS_H

#include <orders/application/drafts.h>
#include <orders/application/idempotency.h>
#include <orders/application/lifecycle.h>
#include <orders/application/order_json.h>
#include <orders/application/place_order.h>
#include <orders/application/queries.h>
#include <orders/application/recovery.h>
#include <orders/application/relay.h>
#include <orders/application/retention.h>
#include <orders/application/service.h>
#include <orders/application/work_report.h>
#include <orders/domain/error.h>
#include <orders/domain/event.h>
#include <orders/domain/money.h>
#include <orders/domain/order.h>
#include <orders/domain/order_ref.h>
#include <orders/domain/order_status.h>
#include <orders/domain/text.h>
#include <orders/domain/validation.h>

#endif
