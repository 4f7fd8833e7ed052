/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "arw-bench.h"

typedef struct {
  ArwWindow *window;
  gint64 t0_us;
  char *query;
  guint step;          /* keystrokes done */
  guint n_steps;
  gint64 key_start_us;
  gint64 key_sync_us;  /* time spent inside the keystroke (filter, model, rows) */
  gint64 layout_us;    /* when the next frame's layout began */
  GArray *key_ms;      /* double: keystroke to painted list */
  GArray *work_ms;     /* double: the work alone, without waiting for the frame tick */
  gulong paint_id;
  gulong layout_id;
  gboolean started;
} Bench;

static void bench_next_key (Bench *bench);

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
bench_finish (Bench *bench)
{
  double *v = (double *) (gpointer) bench->key_ms->data;
  guint n = bench->key_ms->len;

  double *w = (double *) (gpointer) bench->work_ms->data;

  g_array_sort (bench->key_ms, compare_doubles);
  g_array_sort (bench->work_ms, compare_doubles);
  if (n > 0)
    printf ("keystroke_ms_median=%.2f\nkeystroke_ms_max=%.2f\nkeystroke_work_ms_median=%.2f\n"
            "keystroke_work_ms_max=%.2f\nkeystrokes=%u\n",
            v[n / 2], v[n - 1], w[n / 2], w[n - 1], n);
  printf ("rss_kib=%ld\n", rss_kib ());
  fflush (stdout);
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (bench->window))));
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench *bench)
{
  GListModel *model = arw_window_get_catalog_model (bench->window);

  if (!bench->started)
    {
      gint64 now = g_get_real_time ();

      if (!arw_window_is_catalog_loaded (bench->window) || g_list_model_get_n_items (model) == 0)
        return;
      bench->started = TRUE;
      printf ("cold_start_ms=%.1f\nrows=%u\n", (now - bench->t0_us) / 1000.0, g_list_model_get_n_items (model));
      printf ("rss_after_start_kib=%ld\n", rss_kib ());
      fflush (stdout);
      bench_next_key (bench);
      return;
    }
  if (bench->key_start_us == 0)
    return;
  {
    gint64 now = g_get_monotonic_time ();
    double ms = (now - bench->key_start_us) / 1000.0;
    double work = (bench->key_sync_us + (bench->layout_us > 0 ? now - bench->layout_us : 0)) / 1000.0;

    g_array_append_val (bench->key_ms, ms);
    g_array_append_val (bench->work_ms, work);
    if (g_getenv ("ARW_LAUNCHER_BENCH_VERBOSE") != NULL)
      printf ("key %u sync=%.2f work=%.2f total=%.2f\n", bench->step, bench->key_sync_us / 1000.0, work, ms);
  }
  bench->key_start_us = 0;
  bench_next_key (bench);
}

static void
bench_next_key (Bench *bench)
{
  GtkSearchEntry *entry = arw_window_get_search_entry (bench->window);
  guint len = strlen (bench->query);
  guint step;
  g_autofree char *text = NULL;

  if (bench->step >= bench->n_steps)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (bench->window));
      g_signal_handler_disconnect (clock, bench->paint_id);
      g_signal_handler_disconnect (clock, bench->layout_id);
      bench_finish (bench);
      return;
    }
  /* type the query, then delete it again */
  step = bench->step % (2 * len);
  if (step < len)
    text = g_strndup (bench->query, step + 1);
  else
    text = g_strndup (bench->query, 2 * len - step - 1);
  bench->step++;
  bench->key_start_us = g_get_monotonic_time ();
  bench->layout_us = 0;
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  /* the same path as the entry's search-changed, without its timer */
  g_signal_emit_by_name (entry, "search-changed");
  bench->key_sync_us = g_get_monotonic_time () - bench->key_start_us;
  gtk_widget_queue_draw (GTK_WIDGET (bench->window));
}

static void
layout_cb (GdkFrameClock *clock,
           Bench *bench)
{
  if (bench->key_start_us != 0 && bench->layout_us == 0)
    bench->layout_us = g_get_monotonic_time ();
}

static void
realize_cb (GtkWidget *widget,
            Bench *bench)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  bench->paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), bench);
  bench->layout_id = g_signal_connect (clock, "layout", G_CALLBACK (layout_cb), bench);
}

void
arw_bench_mark (const char *label)
{
  const char *t0 = g_getenv ("ARW_LAUNCHER_BENCH_T0");

  if (g_getenv ("ARW_LAUNCHER_BENCH") == NULL || t0 == NULL)
    return;
  printf ("%s_ms=%.1f\n", label, (g_get_real_time () - g_ascii_strtoll (t0, NULL, 10)) / 1000.0);
}

void
arw_bench_attach (ArwWindow *window)
{
  Bench *bench = g_new0 (Bench, 1);
  const char *t0 = g_getenv ("ARW_LAUNCHER_BENCH_T0");
  const char *query = g_getenv ("ARW_LAUNCHER_BENCH_QUERY");

  bench->window = window;
  bench->t0_us = t0 != NULL ? g_ascii_strtoll (t0, NULL, 10) : g_get_real_time ();
  bench->query = g_strdup (query != NULL && *query != '\0' ? query : "llama");
  bench->n_steps = 2 * strlen (bench->query);
  if (g_getenv ("ARW_LAUNCHER_BENCH_CYCLES") != NULL)
    bench->n_steps *= (guint) MAX (1, g_ascii_strtoll (g_getenv ("ARW_LAUNCHER_BENCH_CYCLES"), NULL, 10));
  bench->key_ms = g_array_new (FALSE, FALSE, sizeof (double));
  bench->work_ms = g_array_new (FALSE, FALSE, sizeof (double));
  /* lives as long as the process: the benchmark quits the app */
  g_signal_connect (window, "realize", G_CALLBACK (realize_cb), bench);
}
