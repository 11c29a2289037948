/* runopts.c: the run options a scenario asks for (runopts.h). */
#include "model/runopts.h"

#include <string.h>

void runopts_of(const struct model *m, struct runopts *ro)
{
    *ro = (struct runopts){
        .replications = m->replications,
        .seed = m->seed,
        .threads = m->threads,
        .events = m->out_events,
        .rbs_panel = m->out_rbs_panel,
        .plots = m->out_plots,
        .out_dir = m->out_dir,
        .uncertainty = m->draw_uncertainty,
    };
    memcpy(ro->lang, m->lang, sizeof ro->lang);
}
