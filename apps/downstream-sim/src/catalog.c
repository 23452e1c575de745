/* The catalog: products with prices and stock, and the account lists; parsed
 * from the catalog JSON of docs/api.md, The simulator (--catalog FILE,
 * PUT /sim/catalog) or seeded. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_catalog_free(sim_catalog *catalog)
{
    if (catalog == NULL)
        return;
    for (size_t i = 0; i < catalog->product_count; i++)
        free(catalog->products[i].name);
    for (size_t i = 0; i < catalog->restricted_count; i++)
        free(catalog->restricted[i].restrictions);
    free(catalog->products);
    free(catalog->restricted);
    free(catalog->ineligible);
    *catalog = (sim_catalog){0};
}

static int by_id(const void *a, const void *b)
{
    const sim_product *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int fail(char *err, size_t errcap, const char *message, long long index)
{
    if (index >= 0)
        snprintf(err, errcap, "%s (entry %lld)", message, index);
    else
        snprintf(err, errcap, "%s", message);
    return -1;
}

static int parse_products(sim_catalog *out, const cJSON *products, char *err, size_t errcap)
{
    if (!cJSON_IsArray(products))
        return fail(err, errcap, "\"products\" must be an array", -1);
    size_t n = (size_t)cJSON_GetArraySize(products);
    out->products = calloc(n + 1, sizeof *out->products);
    if (out->products == NULL)
        return fail(err, errcap, "out of memory", -1);
    long long i = 0;
    for (const cJSON *p = products->child; p != NULL; p = p->next, i++) {
        sim_product *prod = &out->products[out->product_count];
        const cJSON *currency = cJSON_GetObjectItemCaseSensitive(p, "currency");
        const char *code = cJSON_IsString(currency) ? currency->valuestring : "USD";
        if (currency != NULL && !cJSON_IsString(currency))
            return fail(err, errcap, "\"currency\" must be a string", i);
        if (sim_currency_decimals(code) < 0)
            return fail(err, errcap, "\"currency\" must be three upper-case letters", i);
        memcpy(prod->currency, code, 4);
        if (!sim_json_int(cJSON_GetObjectItemCaseSensitive(p, "productId"), 1, INT64_MAX,
                          &prod->id))
            return fail(err, errcap, "\"productId\" must be an integer > 0", i);
        if (sim_money_from_json(cJSON_GetObjectItemCaseSensitive(p, "price"), code,
                                &prod->price_minor) != 0)
            return fail(err, errcap,
                        "\"price\" must be a number >= 0 with at most the currency's decimals", i);
        if (!sim_json_int(cJSON_GetObjectItemCaseSensitive(p, "available"), 0, INT32_MAX,
                          &prod->available))
            return fail(err, errcap, "\"available\" must be an integer >= 0", i);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
        char fallback[48];
        snprintf(fallback, sizeof fallback, "Product %lld", (long long)prod->id);
        prod->name = strdup(cJSON_IsString(name) ? name->valuestring : fallback);
        if (prod->name == NULL)
            return fail(err, errcap, "out of memory", -1);
        out->product_count++;
    }
    qsort(out->products, out->product_count, sizeof *out->products, by_id);
    for (size_t k = 1; k < out->product_count; k++)
        if (out->products[k].id == out->products[k - 1].id)
            return fail(err, errcap, "a productId appears twice", -1);
    return 0;
}

static int parse_restricted(sim_catalog *out, const cJSON *list, char *err, size_t errcap)
{
    if (list == NULL)
        return 0;
    if (!cJSON_IsArray(list))
        return fail(err, errcap, "\"restricted\" must be an array", -1);
    out->restricted = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *out->restricted);
    if (out->restricted == NULL)
        return fail(err, errcap, "out of memory", -1);
    long long i = 0;
    for (const cJSON *r = list->child; r != NULL; r = r->next, i++) {
        sim_restricted *entry = &out->restricted[out->restricted_count];
        if (!sim_json_int(cJSON_GetObjectItemCaseSensitive(r, "customerId"), 1, INT64_MAX,
                          &entry->customer_id))
            return fail(err, errcap, "\"restricted[].customerId\" must be an integer > 0", i);
        const cJSON *names = cJSON_GetObjectItemCaseSensitive(r, "restrictions");
        if (!cJSON_IsArray(names))
            return fail(err, errcap, "\"restricted[].restrictions\" must be an array", i);
        for (const cJSON *s = names->child; s != NULL; s = s->next)
            if (!cJSON_IsString(s))
                return fail(err, errcap, "\"restricted[].restrictions\" must hold strings", i);
        entry->restrictions = cJSON_PrintUnformatted(names);
        if (entry->restrictions == NULL)
            return fail(err, errcap, "out of memory", -1);
        out->restricted_count++;
    }
    return 0;
}

static int parse_ineligible(sim_catalog *out, const cJSON *list, char *err, size_t errcap)
{
    if (list == NULL)
        return 0;
    if (!cJSON_IsArray(list))
        return fail(err, errcap, "\"ineligible\" must be an array", -1);
    out->ineligible = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *out->ineligible);
    if (out->ineligible == NULL)
        return fail(err, errcap, "out of memory", -1);
    long long i = 0;
    for (const cJSON *c = list->child; c != NULL; c = c->next, i++) {
        if (!sim_json_int(c, 1, INT64_MAX, &out->ineligible[out->ineligible_count]))
            return fail(err, errcap, "\"ineligible\" must hold integers > 0", i);
        out->ineligible_count++;
    }
    return 0;
}

int sim_catalog_parse(sim_catalog *out, const char *text, size_t len, char *err, size_t errcap)
{
    *out = (sim_catalog){0};
    cJSON *json = sim_json_parse(text, len);
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        return fail(err, errcap, "the catalog is not a JSON object", -1);
    }
    int rc = parse_products(out, cJSON_GetObjectItemCaseSensitive(json, "products"), err, errcap);
    if (rc == 0)
        rc = parse_restricted(out, cJSON_GetObjectItemCaseSensitive(json, "restricted"), err,
                              errcap);
    if (rc == 0)
        rc = parse_ineligible(out, cJSON_GetObjectItemCaseSensitive(json, "ineligible"), err,
                              errcap);
    cJSON_Delete(json);
    if (rc != 0)
        sim_catalog_free(out);
    return rc;
}

int sim_catalog_seed(sim_catalog *out)
{
    static const struct {
        const char *name;
        int64_t price_minor;
    } seed[20] = {
        {"Keyboard", 9999},       {"Mouse", 2499},        {"USB-C Cable", 999},
        {"Headphones", 7950},     {"Monitor", 14999},     {"Webcam", 5900},
        {"Laptop Stand", 3450},   {"Desk Lamp", 2975},    {"Microphone", 11900},
        {"Docking Station", 18999}, {"External SSD", 8999}, {"Mouse Pad", 1250},
        {"HDMI Cable", 1099},     {"Speakers", 6499},     {"Graphics Tablet", 22900},
        {"Ergonomic Chair", 34900}, {"Standing Desk", 49999}, {"Cable Ties", 10},
        {"Sticker", 20},          {"Power Bank", 3999},
    };
    *out = (sim_catalog){0};
    out->products = calloc(20, sizeof *out->products);
    out->restricted = calloc(1, sizeof *out->restricted);
    out->ineligible = calloc(1, sizeof *out->ineligible);
    if (out->products == NULL || out->restricted == NULL || out->ineligible == NULL)
        goto oom;
    for (size_t i = 0; i < 20; i++) {
        sim_product *p = &out->products[i];
        p->id = (int64_t)i + 1;
        p->price_minor = seed[i].price_minor;
        memcpy(p->currency, "USD", 4);
        p->available = 100;
        p->name = strdup(seed[i].name);
        if (p->name == NULL)
            goto oom;
        out->product_count++;
    }
    out->restricted[0].customer_id = 666;
    out->restricted[0].restrictions = strdup("[\"FRAUD\"]");
    if (out->restricted[0].restrictions == NULL)
        goto oom;
    out->restricted_count = 1;
    out->ineligible[0] = 777;
    out->ineligible_count = 1;
    return 0;
oom:
    sim_catalog_free(out);
    return -1;
}

int sim_catalog_copy(sim_catalog *dst, const sim_catalog *src)
{
    *dst = (sim_catalog){0};
    dst->products = calloc(src->product_count + 1, sizeof *dst->products);
    dst->restricted = calloc(src->restricted_count + 1, sizeof *dst->restricted);
    dst->ineligible = calloc(src->ineligible_count + 1, sizeof *dst->ineligible);
    if (dst->products == NULL || dst->restricted == NULL || dst->ineligible == NULL)
        goto oom;
    for (size_t i = 0; i < src->product_count; i++) {
        dst->products[i] = src->products[i];
        dst->products[i].name = strdup(src->products[i].name);
        if (dst->products[i].name == NULL)
            goto oom;
        dst->product_count++;
    }
    for (size_t i = 0; i < src->restricted_count; i++) {
        dst->restricted[i] = src->restricted[i];
        dst->restricted[i].restrictions = strdup(src->restricted[i].restrictions);
        if (dst->restricted[i].restrictions == NULL)
            goto oom;
        dst->restricted_count++;
    }
    memcpy(dst->ineligible, src->ineligible, src->ineligible_count * sizeof *src->ineligible);
    dst->ineligible_count = src->ineligible_count;
    return 0;
oom:
    sim_catalog_free(dst);
    return -1;
}

sim_product *sim_catalog_find(sim_catalog *catalog, int64_t product_id)
{
    sim_product key = {.id = product_id};
    if (catalog->product_count == 0)
        return NULL;
    return bsearch(&key, catalog->products, catalog->product_count, sizeof key, by_id);
}

const sim_restricted *sim_catalog_restricted(const sim_catalog *catalog, int64_t customer_id)
{
    for (size_t i = 0; i < catalog->restricted_count; i++)
        if (catalog->restricted[i].customer_id == customer_id)
            return &catalog->restricted[i];
    return NULL;
}

bool sim_catalog_ineligible(const sim_catalog *catalog, int64_t customer_id)
{
    for (size_t i = 0; i < catalog->ineligible_count; i++)
        if (catalog->ineligible[i] == customer_id)
            return true;
    return false;
}
