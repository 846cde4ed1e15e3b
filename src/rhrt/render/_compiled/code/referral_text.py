from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'referral.text.j2'

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_provisional = resolve('provisional')
    l_0_final_level = resolve('final_level')
    l_0_urgent = resolve('urgent')
    l_0_first_step = resolve('first_step')
    l_0_stamp = resolve('stamp')
    l_0_status = resolve('status')
    l_0_status_text = resolve('status_text')
    l_0_case_reference = resolve('case_reference')
    l_0_child_age = resolve('child_age')
    l_0_assessment_date = resolve('assessment_date')
    l_0_referral_source = resolve('referral_source')
    l_0_override = resolve('override')
    l_0_level = resolve('level')
    l_0_management_review = resolve('management_review')
    l_0_involvement = resolve('involvement')
    l_0_concern_domains = resolve('concern_domains')
    l_0_measures = resolve('measures')
    l_0_known_level = resolve('known_level')
    l_0_indicators = resolve('indicators')
    l_0_found_rules = resolve('found_rules')
    l_0_explanation = resolve('explanation')
    l_0_not_yet_known = resolve('not_yet_known')
    l_0_gather_first = resolve('gather_first')
    l_0_consent = resolve('consent')
    l_0_consent_recorded = resolve('consent_recorded')
    l_0_replaced = resolve('replaced')
    l_0_pathways = resolve('pathways')
    l_0_statement = resolve('statement')
    l_0_decision = resolve('decision')
    try:
        t_1 = environment.filters['indent']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'indent' found.")
    try:
        t_2 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_3 = environment.filters['replace']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'replace' found.")
    try:
        t_4 = environment.filters['wordwrap']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'wordwrap' found.")
    try:
        t_5 = environment.tests['defined']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No test named 'defined' found.")
    pass
    yield 'REFERRAL SUMMARY (DRAFT'
    if (undefined(name='provisional') if l_0_provisional is missing else l_0_provisional):
        pass
        yield ', PROVISIONAL'
    yield '): level '
    yield str(environment.finalize(environment.getattr((undefined(name='final_level') if l_0_final_level is missing else l_0_final_level), 'number')))
    yield ', '
    yield str(environment.finalize(environment.getattr((undefined(name='final_level') if l_0_final_level is missing else l_0_final_level), 'name')))
    if (undefined(name='urgent') if l_0_urgent is missing else l_0_urgent):
        pass
        yield '  [URGENT]'
    yield '\n\n'
    if (undefined(name='first_step') if l_0_first_step is missing else l_0_first_step):
        pass
        t_6 = []
        pass
        t_6.extend((
            'ACT NOW, BEFORE COMPLETING THIS DRAFT: ',
            str(environment.finalize(environment.getattr((undefined(name='first_step') if l_0_first_step is missing else l_0_first_step), 'title'))),
        ))
        if environment.getattr((undefined(name='first_step') if l_0_first_step is missing else l_0_first_step), 'what'):
            pass
            t_6.extend((
                ' - ',
                str(environment.finalize(environment.getattr((undefined(name='first_step') if l_0_first_step is missing else l_0_first_step), 'what'))),
            ))
        yield t_4(environment, concat(t_6), 100, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n\n'
    if environment.getattr((undefined(name='stamp') if l_0_stamp is missing else l_0_stamp), 'status'):
        pass
        t_7 = []
        pass
        t_7.extend((
            'RULESET STATUS: ',
            str(environment.finalize(environment.getattr(environment.getattr((undefined(name='stamp') if l_0_stamp is missing else l_0_stamp), 'status'), 'text'))),
        ))
        yield t_4(environment, concat(t_7), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n\n'
    yield "Draft content for the multi-agency referral form. Check it, and add the child's and family's\ndetails in the form itself: rhrt never holds names, dates of birth or addresses.\n\nStatus:            "
    yield str(environment.finalize((undefined(name='status') if l_0_status is missing else l_0_status)))
    yield ': '
    yield str(environment.finalize((undefined(name='status_text') if l_0_status_text is missing else l_0_status_text)))
    yield '\n\nCase reference:    '
    if (undefined(name='case_reference') if l_0_case_reference is missing else l_0_case_reference):
        pass
        yield str(environment.finalize((undefined(name='case_reference') if l_0_case_reference is missing else l_0_case_reference)))
    else:
        pass
        yield 'not given'
    yield '\nChild:             '
    yield str(environment.finalize((undefined(name='child_age') if l_0_child_age is missing else l_0_child_age)))
    yield '\nAssessment date:   '
    if (undefined(name='assessment_date') if l_0_assessment_date is missing else l_0_assessment_date):
        pass
        yield str(environment.finalize((undefined(name='assessment_date') if l_0_assessment_date is missing else l_0_assessment_date)))
    else:
        pass
        yield 'not given'
    yield '\n'
    if (undefined(name='referral_source') if l_0_referral_source is missing else l_0_referral_source):
        pass
        yield 'Concern raised by: '
        yield str(environment.finalize((undefined(name='referral_source') if l_0_referral_source is missing else l_0_referral_source)))
        yield '\n'
    if (undefined(name='override') if l_0_override is missing else l_0_override):
        pass
        yield '\n*** PROFESSIONAL JUDGEMENT: level '
        yield str(environment.finalize(environment.getattr((undefined(name='final_level') if l_0_final_level is missing else l_0_final_level), 'number')))
        yield ' ('
        yield str(environment.finalize(environment.getattr((undefined(name='final_level') if l_0_final_level is missing else l_0_final_level), 'name')))
        yield '), '
        if (environment.getattr((undefined(name='override') if l_0_override is missing else l_0_override), 'direction') == 'same'):
            pass
            yield 'agreeing with'
        else:
            pass
            yield str(environment.finalize(environment.getattr((undefined(name='override') if l_0_override is missing else l_0_override), 'direction')))
            yield ' from'
        yield " the framework's level "
        yield str(environment.finalize(environment.getattr((undefined(name='level') if l_0_level is missing else l_0_level), 'number')))
        yield ' ('
        yield str(environment.finalize(environment.getattr((undefined(name='level') if l_0_level is missing else l_0_level), 'name')))
        yield '), by '
        yield str(environment.finalize(environment.getattr((undefined(name='override') if l_0_override is missing else l_0_override), 'role')))
        yield '\n    Reason: '
        yield str(environment.finalize(environment.getattr((undefined(name='override') if l_0_override is missing else l_0_override), 'reason')))
        yield '\n'
        if (undefined(name='management_review') if l_0_management_review is missing else l_0_management_review):
            pass
            yield '*** MANAGEMENT REVIEW REQUIRED: a level 4 outcome has been lowered by professional judgement.\n'
    yield '\nINVOLVEMENT WITH SERVICES\n'
    t_8 = 1
    for l_1_said in (undefined(name='involvement') if l_0_involvement is missing else l_0_involvement):
        _loop_vars = {}
        pass
        yield '  - '
        yield str(environment.finalize(l_1_said))
        yield '\n'
        t_8 = 0
    l_1_said = missing
    if t_8:
        l_1_involvement_recorded = resolve('involvement_recorded')
        pass
        if (undefined(name='involvement_recorded') if l_1_involvement_recorded is missing else l_1_involvement_recorded):
            pass
            yield '  None recorded as current.'
        else:
            pass
            yield '  Not recorded (unknown: not the same as none).'
        yield '\n'
        l_1_involvement_recorded = missing
    yield '\nCONCERNS\n'
    t_9 = 1
    for l_1_dom in (undefined(name='concern_domains') if l_0_concern_domains is missing else l_0_concern_domains):
        _loop_vars = {}
        pass
        yield str(environment.finalize(environment.getattr(l_1_dom, 'title')))
        yield '\n'
        for l_2_c in environment.getattr(l_1_dom, 'concerns'):
            _loop_vars = {}
            pass
            yield '  - '
            yield str(environment.finalize(environment.getattr(l_2_c, 'text')))
            yield ' (level '
            yield str(environment.finalize(environment.getattr(l_2_c, 'level')))
            if environment.getattr(l_2_c, 'subdomain'):
                pass
                yield ', '
                yield str(environment.finalize(environment.getattr(l_2_c, 'subdomain')))
            if environment.getattr(l_2_c, 'topics'):
                pass
                yield '; also '
                yield str(environment.finalize(t_2(context.eval_ctx, environment.getattr(l_2_c, 'topics'), ', ')))
            yield ')'
            if environment.getattr(l_2_c, 'source'):
                pass
                yield '. Reported by: '
                yield str(environment.finalize(environment.getattr(l_2_c, 'source')))
            yield '\n'
            if environment.getattr(l_2_c, 'note'):
                pass
                yield '      Note: '
                yield str(environment.finalize(t_1(environment.getattr(l_2_c, 'note'), 12)))
                yield '\n'
        l_2_c = missing
        t_9 = 0
    l_1_dom = missing
    if t_9:
        pass
        yield '  No concerns were recorded.\n'
    if (undefined(name='measures') if l_0_measures is missing else l_0_measures):
        pass
        yield '\nMEASURES\n'
        for l_1_ms in (undefined(name='measures') if l_0_measures is missing else l_0_measures):
            _loop_vars = {}
            pass
            yield '  - '
            yield str(environment.finalize(environment.getattr(l_1_ms, 'title')))
            yield ': '
            yield str(environment.finalize(environment.getattr(l_1_ms, 'value')))
            yield ' '
            yield str(environment.finalize(environment.getattr(l_1_ms, 'unit')))
            yield '\n'
        l_1_ms = missing
    yield '\nLEVEL AND WHY\nThe framework gives level '
    yield str(environment.finalize(environment.getattr((undefined(name='level') if l_0_level is missing else l_0_level), 'number')))
    yield ' ('
    yield str(environment.finalize(environment.getattr((undefined(name='level') if l_0_level is missing else l_0_level), 'name')))
    yield ')'
    if (undefined(name='urgent') if l_0_urgent is missing else l_0_urgent):
        pass
        yield ', urgent'
    if (((undefined(name='provisional') if l_0_provisional is missing else l_0_provisional) and (undefined(name='known_level') if l_0_known_level is missing else l_0_known_level)) and (environment.getattr((undefined(name='known_level') if l_0_known_level is missing else l_0_known_level), 'number') != environment.getattr((undefined(name='level') if l_0_level is missing else l_0_level), 'number'))):
        pass
        yield ', provisionally: the known facts alone give level '
        yield str(environment.finalize(environment.getattr((undefined(name='known_level') if l_0_known_level is missing else l_0_known_level), 'number')))
    yield '.\n'
    for l_1_ind in (undefined(name='indicators') if l_0_indicators is missing else l_0_indicators):
        _loop_vars = {}
        pass
        yield '  - Level '
        yield str(environment.finalize(environment.getattr(l_1_ind, 'level')))
        yield ': '
        yield str(environment.finalize(environment.getattr(l_1_ind, 'text')))
        yield '\n'
    l_1_ind = missing
    for l_1_rule in (undefined(name='found_rules') if l_0_found_rules is missing else l_0_found_rules):
        _loop_vars = {}
        pass
        yield '  - '
        yield str(environment.finalize(environment.getattr(l_1_rule, 'because')))
        yield '\n'
    l_1_rule = missing
    for l_1_because in environment.getattr((undefined(name='explanation') if l_0_explanation is missing else l_0_explanation), 'urgent_because'):
        _loop_vars = {}
        pass
        yield '  - Urgent because: '
        yield str(environment.finalize(l_1_because))
        yield '\n'
    l_1_because = missing
    if (undefined(name='not_yet_known') if l_0_not_yet_known is missing else l_0_not_yet_known):
        pass
        yield '\nNOT YET KNOWN (not findings: find out before relying on them)\n'
        for l_1_rule in (undefined(name='not_yet_known') if l_0_not_yet_known is missing else l_0_not_yet_known):
            _loop_vars = {}
            pass
            yield '  - Not yet known: whether '
            yield str(environment.finalize(environment.getattr(l_1_rule, 'not_yet_known')))
            if ((environment.getattr(l_1_rule, 'level') and (undefined(name='known_level') if l_0_known_level is missing else l_0_known_level)) and (environment.getattr(l_1_rule, 'level') > environment.getattr((undefined(name='known_level') if l_0_known_level is missing else l_0_known_level), 'number'))):
                pass
                yield ' (if so, level '
                yield str(environment.finalize(environment.getattr(l_1_rule, 'level')))
                yield ')'
            yield '\n'
        l_1_rule = missing
        for l_1_g in (undefined(name='gather_first') if l_0_gather_first is missing else l_0_gather_first):
            _loop_vars = {}
            pass
            yield '  - Find out: '
            yield str(environment.finalize(environment.getattr(l_1_g, 'what')))
            yield ' (by when: '
            yield str(environment.finalize(environment.getattr(l_1_g, 'timescale')))
            yield ')\n'
        l_1_g = missing
    yield '\nCONSENT\n'
    yield str(environment.finalize(t_4(environment, environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'applies'), 92, break_long_words=False, break_on_hyphens=False)))
    if (undefined(name='consent_recorded') if l_0_consent_recorded is missing else l_0_consent_recorded):
        pass
        yield ' (Recorded: '
        yield str(environment.finalize(t_3(context.eval_ctx, (undefined(name='consent_recorded') if l_0_consent_recorded is missing else l_0_consent_recorded), '_', ' ')))
        yield '.)'
    yield '\n'
    if environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'because'):
        pass
        t_10 = []
        pass
        t_10.extend((
            '  Why this first: ',
            str(environment.finalize(environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'because'))),
        ))
        yield t_4(environment, concat(t_10), 96, break_long_words=False, break_on_hyphens=False, wrapstring='\n    ')
        yield '\n'
    for l_1_o in environment.getattr((undefined(name='consent') if l_0_consent is missing else l_0_consent), 'others'):
        _loop_vars = {}
        pass
        t_11 = []
        pass
        t_11.extend((
            '    - Also: ',
            str(environment.finalize(environment.getattr(l_1_o, 'text'))),
        ))
        yield t_4(environment, concat(t_11), 94, break_long_words=False, break_on_hyphens=False, wrapstring='\n      ')
        yield '\n'
        t_12 = []
        pass
        t_12.extend((
            '      Because of ',
            str(environment.finalize(environment.getattr(l_1_o, 'because'))),
            '.',
        ))
        yield t_4(environment, concat(t_12), 94, break_long_words=False, break_on_hyphens=False, wrapstring='\n      ')
        yield '\n'
    l_1_o = missing
    yield '\nPATHWAYS\n'
    for l_1_swap in (undefined(name='replaced') if l_0_replaced is missing else l_0_replaced):
        _loop_vars = {}
        pass
        yield '  - Instead of '
        yield str(environment.finalize(environment.getattr(l_1_swap, 'title')))
        yield ': '
        yield str(environment.finalize(t_2(context.eval_ctx, environment.getattr(l_1_swap, 'instead'), '; ')))
        yield " (the child's recorded context)\n\n"
    l_1_swap = missing
    for l_1_p in (undefined(name='pathways') if l_0_pathways is missing else l_0_pathways):
        _loop_vars = {}
        pass
        yield '  - '
        yield str(environment.finalize(environment.getattr(l_1_p, 'title')))
        if environment.getattr(l_1_p, 'conditional_on'):
            pass
            yield ' (only if '
            yield str(environment.finalize(environment.getattr(l_1_p, 'conditional_on')))
            yield ': not yet known)'
        if t_5(environment.getattr(l_1_p, 'timescale')):
            pass
            yield ': '
            yield str(environment.finalize(environment.getattr(l_1_p, 'timescale')))
        yield '\n'
    l_1_p = missing
    yield '\n'
    yield str(environment.finalize(t_4(environment, (undefined(name='statement') if l_0_statement is missing else l_0_statement), 92, break_long_words=False, break_on_hyphens=False)))
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
    yield '; rhrt '
    yield str(environment.finalize(environment.getattr((undefined(name='decision') if l_0_decision is missing else l_0_decision), 'rhrt_version')))
    yield '\n'

blocks = {}
debug_info = '2=71&4=82&5=88&8=98&9=104&16=109&18=113&20=120&21=122&23=129&24=132&26=134&28=137&29=155&30=157&36=162&37=166&39=173&44=183&45=186&46=188&47=192&49=209&50=212&56=220&59=223&60=227&65=235&66=247&67=251&69=256&70=260&72=263&73=267&75=270&78=273&79=277&82=285&83=289&88=295&89=302&90=308&93=312&94=319&96=327&101=334&102=338&105=343&106=347&110=360&112=362'

# SPDX-License-Identifier: MIT
# Generated by scripts/compile_templates.py from src/rhrt/render/templates/referral.text.j2
# (jinja2 3.1.6, format text): do not edit; run the script again instead.
# ruff: noqa
# mypy: ignore-errors
