from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'decision.text.j2'

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_level = resolve('level')
    l_0_level_assumed = resolve('level_assumed')
    l_0_urgent = resolve('urgent')
    l_0_first_step = resolve('first_step')
    l_0_no_first_step = resolve('no_first_step')
    l_0_provisional = resolve('provisional')
    l_0_gather_when = resolve('gather_when')
    l_0_gather_first = resolve('gather_first')
    l_0_override = resolve('override')
    l_0_management_review = resolve('management_review')
    l_0_stamp = resolve('stamp')
    l_0_warnings = resolve('warnings')
    l_0_explanation = resolve('explanation')
    l_0_replaced = resolve('replaced')
    l_0_response_replaced = resolve('response_replaced')
    l_0_indicators = resolve('indicators')
    l_0_rules = resolve('rules')
    l_0_pathways = resolve('pathways')
    l_0_consent = resolve('consent')
    l_0_notes = resolve('notes')
    l_0_statement = resolve('statement')
    l_0_decision = resolve('decision')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['replace']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'replace' found.")
    try:
        t_3 = environment.filters['wordwrap']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'wordwrap' found.")
    pass
    yield 'LEVEL '
    yield str(environment.finalize(environment.getattr((undefined(name='level') if l_0_level is missing else l_0_level), 'number')))
    yield ': '
    yield str(environment.finalize(environment.getattr((undefined(name='level') if l_0_level is missing else l_0_level), 'name')))
    if (undefined(name='level_assumed') if l_0_level_assumed is missing else l_0_level_assumed):
        pass
        yield '  [PROVISIONAL]'
    if (undefined(name='urgent') if l_0_urgent is missing else l_0_urgent):
        pass
        yield '  [URGENT - ACT NOW]'
    yield '\n'
    if (undefined(name='first_step') if l_0_first_step is missing else l_0_first_step):
        pass
        t_4 = []
        pass
        t_4.extend((
            'FIRST, BEFORE ANYTHING ELSE: ',
            str(environment.finalize(environment.getattr((undefined(name='first_step') if l_0_first_step is missing else l_0_first_step), 'title'))),
        ))
        if environment.getattr((undefined(name='first_step') if l_0_first_step is missing else l_0_first_step), 'what'):
            pass
            t_4.extend((
                ' - ',
                str(environment.finalize(environment.getattr((undefined(name='first_step') if l_0_first_step is missing else l_0_first_step), 'what'))),
            ))
        yield t_3(environment, concat(t_4), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n\n'
    elif (undefined(name='no_first_step') if l_0_no_first_step is missing else l_0_no_first_step):
        pass
        t_5 = []
        pass
        t_5.extend((
            'ACT NOW: ',
            str(environment.finalize((undefined(name='no_first_step') if l_0_no_first_step is missing else l_0_no_first_step))),
        ))
        yield t_3(environment, concat(t_5), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n\n'
    if (undefined(name='provisional') if l_0_provisional is missing else l_0_provisional):
        pass
        l_1_status_text = resolve('status_text')
        t_6 = []
        pass
        t_6.extend((
            'PROVISIONAL: ',
            str(environment.finalize((undefined(name='status_text') if l_1_status_text is missing else l_1_status_text))),
        ))
        yield t_3(environment, concat(t_6), 100, break_long_words=False, break_on_hyphens=False)
        l_1_status_text = missing
        yield '\n\n'
    else:
        pass
        l_1_status_text = resolve('status_text')
        t_7 = []
        pass
        t_7.extend((
            'CONFIRMED: ',
            str(environment.finalize((undefined(name='status_text') if l_1_status_text is missing else l_1_status_text))),
        ))
        yield t_3(environment, concat(t_7), 100, break_long_words=False, break_on_hyphens=False)
        l_1_status_text = missing
        yield '\n\n'
    if ((undefined(name='gather_when') if l_0_gather_when is missing else l_0_gather_when) == 'first'):
        pass
        yield 'Find out first\n--------------\n'
        for l_1_g in (undefined(name='gather_first') if l_0_gather_first is missing else l_0_gather_first):
            _loop_vars = {}
            pass
            t_8 = []
            pass
            t_8.extend((
                '  - ',
                str(environment.finalize(environment.getattr(l_1_g, 'what'))),
                ' (by when: ',
                str(environment.finalize(environment.getattr(l_1_g, 'timescale'))),
                ')',
            ))
            yield t_3(environment, concat(t_8), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
            yield '\n'
        l_1_g = missing
        yield '\n'
    if (undefined(name='override') if l_0_override is missing else l_0_override):
        pass
        l_1_final_level = resolve('final_level')
        t_9 = []
        pass
        t_9.extend((
            '*** PROFESSIONAL JUDGEMENT: level ',
            str(environment.finalize(environment.getattr((undefined(name='final_level') if l_1_final_level is missing else l_1_final_level), 'number'))),
            ' (',
            str(environment.finalize(environment.getattr((undefined(name='final_level') if l_1_final_level is missing else l_1_final_level), 'name'))),
            '), ',
        ))
        if (environment.getattr((undefined(name='override') if l_0_override is missing else l_0_override), 'direction') == 'same'):
            pass
            t_9.append(
                'agreeing with',
            )
        else:
            pass
            t_9.extend((
                str(environment.finalize(environment.getattr((undefined(name='override') if l_0_override is missing else l_0_override), 'direction'))),
                ' from',
            ))
        t_9.extend((
            " the framework's level ",
            str(environment.finalize(environment.getattr((undefined(name='level') if l_0_level is missing else l_0_level), 'number'))),
            ', by ',
            str(environment.finalize(environment.getattr((undefined(name='override') if l_0_override is missing else l_0_override), 'role'))),
        ))
        yield t_3(environment, concat(t_9), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        l_1_final_level = missing
        yield '\n'
        t_10 = []
        pass
        t_10.extend((
            '    Reason: ',
            str(environment.finalize(environment.getattr((undefined(name='override') if l_0_override is missing else l_0_override), 'reason'))),
        ))
        yield t_3(environment, concat(t_10), 88, break_long_words=False, break_on_hyphens=False, wrapstring='\n            ')
        yield '\n'
        if (undefined(name='management_review') if l_0_management_review is missing else l_0_management_review):
            pass
            yield '*** MANAGEMENT REVIEW REQUIRED: a level 4 outcome has been lowered by professional\n    judgement. A manager must review this decision before it is acted on.\n'
        yield '\n'
    if environment.getattr((undefined(name='stamp') if l_0_stamp is missing else l_0_stamp), 'status'):
        pass
        t_11 = []
        pass
        t_11.extend((
            'RULESET STATUS: ',
            str(environment.finalize(environment.getattr(environment.getattr((undefined(name='stamp') if l_0_stamp is missing else l_0_stamp), 'status'), 'text'))),
        ))
        yield t_3(environment, concat(t_11), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n\n'
    for l_1_warning in (undefined(name='warnings') if l_0_warnings is missing else l_0_warnings):
        _loop_vars = {}
        pass
        t_12 = []
        pass
        t_12.extend((
            'NOTE: ',
            str(environment.finalize(l_1_warning)),
        ))
        yield t_3(environment, concat(t_12), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n'
    l_1_warning = missing
    for l_1_because in environment.getattr((undefined(name='explanation') if l_0_explanation is missing else l_0_explanation), 'urgent_because'):
        _loop_vars = {}
        pass
        t_13 = []
        pass
        t_13.extend((
            'URGENT BECAUSE: ',
            str(environment.finalize(l_1_because)),
        ))
        yield t_3(environment, concat(t_13), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n'
    l_1_because = missing
    for l_1_swap in (undefined(name='replaced') if l_0_replaced is missing else l_0_replaced):
        _loop_vars = {}
        pass
        t_14 = []
        pass
        t_14.extend((
            'INSTEAD OF ',
            str(environment.finalize(environment.getattr(l_1_swap, 'title'))),
            ': ',
            str(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_1_swap, 'instead'), '; '))),
            " (the child's recorded context; rule ",
            str(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_1_swap, 'by'), ', '))),
            ')',
        ))
        yield t_3(environment, concat(t_14), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n'
    l_1_swap = missing
    if (((undefined(name='warnings') if l_0_warnings is missing else l_0_warnings) or environment.getattr((undefined(name='explanation') if l_0_explanation is missing else l_0_explanation), 'urgent_because')) or (undefined(name='replaced') if l_0_replaced is missing else l_0_replaced)):
        pass
        yield '\n'
    if (environment.getattr((undefined(name='level') if l_0_level is missing else l_0_level), 'response') and (not (undefined(name='response_replaced') if l_0_response_replaced is missing else l_0_response_replaced))):
        pass
        yield str(environment.finalize(t_3(environment, environment.getattr((undefined(name='level') if l_0_level is missing else l_0_level), 'response'), 92, break_long_words=False, break_on_hyphens=False)))
        yield '\n\n'
    yield 'Why\n---\n'
    t_15 = 1
    for l_1_ind in (undefined(name='indicators') if l_0_indicators is missing else l_0_indicators):
        _loop_vars = {}
        pass
        l_2_standing_label = resolve('standing_label')
        t_16 = []
        pass
        t_16.extend((
            '  - L',
            str(environment.finalize(environment.getattr(l_1_ind, 'level'))),
            ' ',
            str(environment.finalize(environment.getattr(l_1_ind, 'text'))),
            ' [',
            str(environment.finalize(environment.getattr(l_1_ind, 'id'))),
            '; source: ',
            str(environment.finalize(environment.getattr(environment.getattr(l_1_ind, 'source'), 'title'))),
        ))
        if environment.getattr(environment.getattr(l_1_ind, 'source'), 'section'):
            pass
            t_16.extend((
                ', ',
                str(environment.finalize(environment.getattr(environment.getattr(l_1_ind, 'source'), 'section'))),
            ))
        if environment.call(context, (undefined(name='standing_label') if l_2_standing_label is missing else l_2_standing_label), environment.getattr(environment.getattr(l_1_ind, 'source'), 'standing')):
            pass
            t_16.extend((
                '; ',
                str(environment.finalize(environment.call(context, (undefined(name='standing_label') if l_2_standing_label is missing else l_2_standing_label), environment.getattr(environment.getattr(l_1_ind, 'source'), 'standing')))),
            ))
        t_16.append(
            ']',
        )
        yield t_3(environment, concat(t_16), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        l_2_standing_label = missing
        yield '\n'
        t_15 = 0
    l_1_ind = missing
    if t_15:
        pass
        yield '  No concerns above level 1 were recorded.\n'
    for l_1_rule in (undefined(name='rules') if l_0_rules is missing else l_0_rules):
        _loop_vars = {}
        pass
        t_17 = []
        pass
        t_17.extend((
            '  - rule ',
            str(environment.finalize(environment.getattr(l_1_rule, 'id'))),
            ': ',
            str(environment.finalize(environment.getattr(l_1_rule, 'because'))),
        ))
        yield t_3(environment, concat(t_17), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n'
        if environment.getattr(l_1_rule, 'condition'):
            pass
            t_18 = []
            pass
            t_18.extend((
                '      (when ',
                str(environment.finalize(environment.getattr(l_1_rule, 'condition'))),
                ')',
            ))
            yield t_3(environment, concat(t_18), 93, break_long_words=False, break_on_hyphens=False, wrapstring='\n       ')
            yield '\n'
        if environment.getattr(l_1_rule, 'assumed'):
            pass
            t_19 = []
            pass
            t_19.extend((
                '      fired because not recorded: ',
                str(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_1_rule, 'assumed'), ', '))),
            ))
            yield t_3(environment, concat(t_19), 94, break_long_words=False, break_on_hyphens=False, wrapstring='\n      ')
            yield '\n'
    l_1_rule = missing
    if environment.getattr((undefined(name='explanation') if l_0_explanation is missing else l_0_explanation), 'missing_information'):
        pass
        l_1_missing_words = resolve('missing_words')
        t_20 = []
        pass
        t_20.extend((
            '  Not recorded (rules assumed the worst; recording it may change the outcome): ',
            str(environment.finalize(t_1(context.eval_ctx, (undefined(name='missing_words') if l_1_missing_words is missing else l_1_missing_words), ', '))),
        ))
        yield t_3(environment, concat(t_20), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        l_1_missing_words = missing
        yield '\n'
    if environment.getattr((undefined(name='explanation') if l_0_explanation is missing else l_0_explanation), 'would_raise'):
        pass
        yield '  What would change the outcome:\n'
        for l_1_hint in environment.getattr((undefined(name='explanation') if l_0_explanation is missing else l_0_explanation), 'would_raise'):
            _loop_vars = {}
            pass
            t_21 = []
            pass
            t_21.extend((
                '    - ',
                str(environment.finalize(environment.getattr(l_1_hint, 'text'))),
            ))
            yield t_3(environment, concat(t_21), 94, break_long_words=False, break_on_hyphens=False, wrapstring='\n      ')
            yield '\n'
        l_1_hint = missing
    if environment.getattr((undefined(name='explanation') if l_0_explanation is missing else l_0_explanation), 'would_allow_step_down'):
        pass
        t_22 = []
        pass
        t_22.extend((
            '  What would allow a step down: ',
            str(environment.finalize(environment.getattr((undefined(name='explanation') if l_0_explanation is missing else l_0_explanation), 'would_allow_step_down'))),
        ))
        yield t_3(environment, concat(t_22), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n'
    if environment.getattr((undefined(name='explanation') if l_0_explanation is missing else l_0_explanation), 'step_up'):
        pass
        t_23 = []
        pass
        t_23.extend((
            '  When to step up: ',
            str(environment.finalize(environment.getattr((undefined(name='explanation') if l_0_explanation is missing else l_0_explanation), 'step_up'))),
        ))
        yield t_3(environment, concat(t_23), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n'
    yield '\nWhat to do\n----------\n'
    for l_1_p in (undefined(name='pathways') if l_0_pathways is missing else l_0_pathways):
        _loop_vars = {}
        pass
        if environment.getattr(l_1_p, 'conditional_on'):
            pass
            t_24 = []
            pass
            t_24.extend((
                '[ONLY IF ',
                str(environment.finalize(environment.getattr(l_1_p, 'conditional_on'))),
                ' - not yet known]',
            ))
            yield t_3(environment, concat(t_24), 98, break_long_words=False, break_on_hyphens=False, wrapstring='\n  ')
            yield '\n'
        if environment.getattr(l_1_p, 'rendered'):
            pass
            yield str(environment.finalize(environment.getattr(l_1_p, 'rendered')))
        else:
            pass
            yield '* '
            yield str(environment.finalize(environment.getattr(l_1_p, 'title')))
            yield '\n'
            for l_2_reason in environment.getattr(l_1_p, 'why'):
                _loop_vars = {}
                pass
                yield '    - '
                yield str(environment.finalize(environment.getattr(l_2_reason, 'text')))
                yield '\n'
            l_2_reason = missing
            yield '\n'
    l_1_p = missing
    if ((undefined(name='gather_when') if l_0_gather_when is missing else l_0_gather_when) == 'after'):
        pass
        yield 'Then find out (after the urgent steps above)\n--------------------------------------------\n'
        for l_1_g in (undefined(name='gather_first') if l_0_gather_first is missing else l_0_gather_first):
            _loop_vars = {}
            pass
            t_25 = []
            pass
            t_25.extend((
                '  - ',
                str(environment.finalize(environment.getattr(l_1_g, 'what'))),
                ' (by when: ',
                str(environment.finalize(environment.getattr(l_1_g, 'timescale'))),
                ')',
            ))
            yield t_3(environment, concat(t_25), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
            yield '\n'
        l_1_g = missing
        yield '\n'
    yield 'Consent\n-------\n'
    yield str(environment.finalize(t_3(environment, environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'applies'), 92, break_long_words=False, break_on_hyphens=False)))
    yield '\n'
    if environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'because'):
        pass
        t_26 = []
        pass
        t_26.extend((
            '  Why this first: ',
            str(environment.finalize(environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'because'))),
        ))
        yield t_3(environment, concat(t_26), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n'
    if environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'recorded'):
        pass
        yield '  Consent recorded: '
        yield str(environment.finalize(t_2(context.eval_ctx, environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'recorded'), '_', ' ')))
        yield '.\n'
    if environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'others'):
        pass
        yield '  Also applies (shown after the most protective):\n'
        for l_1_o in environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'others'):
            _loop_vars = {}
            pass
            t_27 = []
            pass
            t_27.extend((
                '    - ',
                str(environment.finalize(environment.getattr(l_1_o, 'text'))),
            ))
            yield t_3(environment, concat(t_27), 94, break_long_words=False, break_on_hyphens=False, wrapstring='\n      ')
            yield '\n'
            t_28 = []
            pass
            t_28.extend((
                '      Because of ',
                str(environment.finalize(environment.getattr(l_1_o, 'because'))),
                '.',
            ))
            yield t_3(environment, concat(t_28), 94, break_long_words=False, break_on_hyphens=False, wrapstring='\n      ')
            yield '\n'
        l_1_o = missing
    if (undefined(name='notes') if l_0_notes is missing else l_0_notes):
        pass
        yield '\nPractitioner notes\n------------------\n'
        for l_1_n in (undefined(name='notes') if l_0_notes is missing else l_0_notes):
            _loop_vars = {}
            pass
            t_29 = []
            pass
            t_29.extend((
                '  - ',
                str(environment.finalize(environment.getattr(l_1_n, 'indicator'))),
            ))
            if environment.getattr(l_1_n, 'source'):
                pass
                t_29.extend((
                    ' (from ',
                    str(environment.finalize(environment.getattr(l_1_n, 'source'))),
                    ')',
                ))
            t_29.extend((
                ': ',
                str(environment.finalize(environment.getattr(l_1_n, 'note'))),
            ))
            yield t_3(environment, concat(t_29), 94, break_long_words=False, break_on_hyphens=False, wrapstring='\n      ')
            yield '\n'
        l_1_n = missing
    yield '\n'
    yield str(environment.finalize(t_3(environment, (undefined(name='statement') if l_0_statement is missing else l_0_statement), 92, break_long_words=False, break_on_hyphens=False)))
    yield '\n\nRuleset '
    yield str(environment.finalize(environment.getattr((undefined(name='stamp') if l_0_stamp is missing else l_0_stamp), 'id')))
    yield ' '
    yield str(environment.finalize(environment.getattr((undefined(name='stamp') if l_0_stamp is missing else l_0_stamp), 'version')))
    if environment.getattr((undefined(name='stamp') if l_0_stamp is missing else l_0_stamp), 'status'):
        pass
        yield ' ('
        yield str(environment.finalize(environment.getattr(environment.getattr((undefined(name='stamp') if l_0_stamp is missing else l_0_stamp), 'status'), 'id')))
        yield ')'
    yield ' sha256 '
    yield str(environment.finalize(environment.getattr((undefined(name='stamp') if l_0_stamp is missing else l_0_stamp), 'sha256')))
    yield '\nrhrt '
    yield str(environment.finalize(environment.getattr((undefined(name='decision') if l_0_decision is missing else l_0_decision), 'rhrt_version')))
    yield ', '
    yield str(environment.finalize(environment.getattr((undefined(name='decision') if l_0_decision is missing else l_0_decision), 'engine')))
    yield ' engine'
    if environment.getattr((undefined(name='decision') if l_0_decision is missing else l_0_decision), 'assessment_date'):
        pass
        yield ', assessed '
        yield str(environment.finalize(environment.getattr((undefined(name='decision') if l_0_decision is missing else l_0_decision), 'assessment_date')))
    yield '\n'

blocks = {}
debug_info = '2=52&4=62&5=68&8=78&9=84&12=88&13=95&17=107&21=112&24=115&25=122&30=131&31=138&33=167&35=171&41=175&42=181&46=185&47=192&50=197&51=204&54=209&55=216&58=226&61=229&62=231&67=235&68=243&73=274&74=281&76=287&77=293&80=298&81=304&85=309&86=316&89=321&91=324&92=331&96=336&97=342&100=346&101=352&107=357&108=360&109=366&112=371&113=373&115=377&116=379&117=383&122=388&125=391&126=398&133=408&134=410&135=416&138=420&139=423&141=425&143=428&144=435&146=443&150=449&154=452&155=459&160=476&162=478&163=489'

# SPDX-License-Identifier: MIT
# Generated by scripts/compile_templates.py from src/rhrt/render/templates/decision.text.j2
# (jinja2 3.1.6, format text): do not edit; run the script again instead.
# ruff: noqa
# mypy: ignore-errors
