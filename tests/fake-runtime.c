/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A stand-in for llama-server and friends: a real HTTP server on
 * 127.0.0.1:--port answering /health, with failure modes for the
 * supervisor tests (reliability.md §1 F). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

extern char **environ;

static int opt_port;
static char *opt_mode;
static int opt_exit_code = 1;
static char *opt_count_file;
static char *opt_pid_file;
static char *opt_dump_env;

static gint64 ready_at_us;
static gboolean always_503;

static GOptionEntry entries[] = {
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Port to listen on (127.0.0.1)", "PORT" },
  { "mode", 0, 0, G_OPTION_ARG_STRING, &opt_mode,
    "ok|exit-now|exit-after=MS|hang|ignore-sigterm|fork-grandchild|slow-ready=MS|503-forever|gpu-fail", "MODE" },
  { "exit-code", 0, 0, G_OPTION_ARG_INT, &opt_exit_code, "Exit status for exit modes", "N" },
  { "count-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_count_file, "Append one line per start", "FILE" },
  { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_pid_file, "Where fork-grandchild writes its pid", "FILE" },
  { "dump-env", 0, 0, G_OPTION_ARG_FILENAME, &opt_dump_env, "Write the environment to FILE", "FILE" },
  { NULL }
};

static void
append_line (const char *path, const char *line)
{
  FILE *f = fopen (path, "a");

  if (f == NULL)
    {
      fprintf (stderr, "fake-runtime: cannot open %s: %s\n", path, g_strerror (errno));
      exit (2);
    }
  fprintf (f, "%s\n", line);
  fclose (f);
}

static void
dump_env (const char *path)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (char **e = environ; *e != NULL; e++)
    g_string_append_printf (text, "%s\n", *e);
  if (!g_file_set_contents (path, text->str, (gssize) text->len, &error))
    {
      fprintf (stderr, "fake-runtime: %s\n", error->message);
      exit (2);
    }
}

/* The grandchild ignores SIGTERM, so only a group SIGKILL ends it. */
static void
fork_grandchild (const char *pid_file)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  pid_t pid = fork ();

  if (pid < 0)
    {
      perror ("fake-runtime: fork");
      exit (2);
    }
  if (pid == 0)
    {
      signal (SIGTERM, SIG_IGN);
      for (;;)
        pause ();
    }
  text = g_strdup_printf ("%d\n", (int) pid);
  if (pid_file != NULL && !g_file_set_contents (pid_file, text, -1, &error))
    {
      fprintf (stderr, "fake-runtime: %s\n", error->message);
      exit (2);
    }
}

static void
health_cb (SoupServer *server, SoupServerMessage *msg, const char *path,
           GHashTable *query, gpointer user_data)
{
  if (always_503 || g_get_monotonic_time () < ready_at_us)
    {
      soup_server_message_set_status (msg, 503, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"status\":\"loading model\"}", 26);
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    "{\"status\":\"ok\"}", 15);
}

static gboolean
exit_cb (gpointer user_data)
{
  printf ("fake-runtime: exiting with %d mono_us=%" G_GINT64_FORMAT "\n", opt_exit_code, g_get_monotonic_time ());
  fflush (stdout);
  exit (opt_exit_code);
  return G_SOURCE_REMOVE;
}

static SoupServer *
serve (void)
{
  g_autoptr(GError) error = NULL;
  SoupServer *server = soup_server_new (NULL, NULL);

  soup_server_add_handler (server, "/health", health_cb, NULL, NULL);
  if (!soup_server_listen_local (server, (guint) opt_port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      fprintf (stderr, "fake-runtime: cannot listen on 127.0.0.1:%d: %s\n", opt_port, error->message);
      exit (3);
    }
  return server;
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- fake ARW runtime");
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autofree char *start_line = NULL;
  const char *mode;
  guint64 ms = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "fake-runtime: %s\n", error->message);
      return 2;
    }
  mode = opt_mode != NULL ? opt_mode : "ok";
  start_line = g_strdup_printf ("%d %s", (int) getpid (), mode);
  if (opt_count_file != NULL)
    append_line (opt_count_file, start_line);
  if (opt_dump_env != NULL)
    dump_env (opt_dump_env);
  printf ("fake-runtime: started pid=%d mode=%s port=%d\n", (int) getpid (), mode, opt_port);
  fflush (stdout);
  fprintf (stderr, "fake-runtime: hello on stderr\n");
  fflush (stderr);

  loop = g_main_loop_new (NULL, FALSE);
  if (g_str_equal (mode, "exit-now"))
    {
      printf ("fake-runtime: exiting with %d mono_us=%" G_GINT64_FORMAT "\n", opt_exit_code, g_get_monotonic_time ());
      return opt_exit_code;
    }
  if (g_str_equal (mode, "gpu-fail"))
    {
      fprintf (stderr, "ggml_cuda_init: CUDA error: no CUDA-capable device is detected\n");
      fflush (stderr);
      return 1;
    }
  if (g_str_equal (mode, "hang"))
    {
      g_main_loop_run (loop);
      return 0;
    }
  if (g_str_equal (mode, "ignore-sigterm"))
    signal (SIGTERM, SIG_IGN);
  else if (g_str_equal (mode, "fork-grandchild"))
    fork_grandchild (opt_pid_file);
  else if (g_str_equal (mode, "503-forever"))
    always_503 = TRUE;
  else if (g_str_has_prefix (mode, "slow-ready=") &&
           g_ascii_string_to_unsigned (mode + 11, 10, 0, G_MAXUINT, &ms, NULL))
    ready_at_us = g_get_monotonic_time () + (gint64) ms * 1000;
  else if (g_str_has_prefix (mode, "exit-after=") &&
           g_ascii_string_to_unsigned (mode + 11, 10, 0, G_MAXUINT, &ms, NULL))
    g_timeout_add ((guint) ms, exit_cb, NULL);
  else if (!g_str_equal (mode, "ok"))
    {
      fprintf (stderr, "fake-runtime: unknown mode %s\n", mode);
      return 2;
    }
  server = serve ();
  g_main_loop_run (loop);
  return 0;
}
